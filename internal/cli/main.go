// Package cli is vpcshift's command line: the cobra command tree, global
// flags, exit codes, live-versus-demo endpoints and terminal detection.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/vpcshift/vpcshift/internal/gcp"
)

// Exit codes (DESIGN.md, "The command line").
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitSavings     = 3 // monthly savings above --fail-on-savings
	ExitCredentials = 4 // missing credentials or permission
	ExitStalePlan   = 5
	ExitRolledBack  = 6 // apply stopped and rolled back
)

// ExitError carries an exit code with an error; Hint, when set, is printed
// after the message as what to do.
type ExitError struct {
	Code int
	Err  error
	Hint string
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError is a malformed command line (exit 2).
func usageError(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// Env is everything the commands take from the process: streams, terminal
// state, environment variables, clock. Tests build their own.
type Env struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	InTTY  bool
	OutTTY bool
	ErrTTY bool
	// Getenv reads an environment variable.
	Getenv func(string) string
	// Now is the clock.
	Now func() time.Time
	// HomeDir is where gcloud's configuration is looked up.
	HomeDir string
	// Version is the build's version.
	Version string
	// Signals, when non-nil, cancels the run on SIGINT/SIGTERM.
	Signals bool
}

// System is the Env of the running process.
func System(version string) *Env {
	home, _ := os.UserHomeDir()
	return &Env{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTTY:   isatty.IsTerminal(os.Stdin.Fd()),
		OutTTY:  isatty.IsTerminal(os.Stdout.Fd()),
		ErrTTY:  isatty.IsTerminal(os.Stderr.Fd()),
		Getenv:  os.Getenv,
		Now:     time.Now,
		HomeDir: home,
		Version: version,
		Signals: true,
	}
}

// Main runs vpcshift with args and returns the exit code.
func Main(args []string, env *Env) int {
	ctx := context.Background()
	if env.Signals {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	root := newRoot(env)
	root.SetArgs(args)
	root.SetIn(env.In)
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	err := root.ExecuteContext(ctx)
	return exitCode(env, err)
}

// exitCode prints err (once, with its hint) and maps it to an exit code.
func exitCode(env *Env, err error) int {
	if err == nil {
		return ExitOK
	}
	code := ExitFailure
	hint := ""
	var ee *ExitError
	var ce *gcp.CredentialsError
	switch {
	case errors.As(err, &ee):
		code, hint = ee.Code, ee.Hint
		if ee.Err == nil {
			return code // already reported
		}
	case errors.As(err, &ce):
		code = ExitCredentials
	case isFlagError(err):
		code = ExitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(env.Err, "vpcshift: interrupted")
		return 130
	}
	msg := err.Error()
	fmt.Fprintf(env.Err, "vpcshift: %s\n", msg)
	if hint != "" {
		fmt.Fprintf(env.Err, "  fix: %s\n", hint)
	}
	if code == ExitUsage {
		fmt.Fprintln(env.Err, "Run 'vpcshift --help' for usage.")
	}
	return code
}

// isFlagError recognises cobra/pflag's own parse errors.
func isFlagError(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "unknown command", "accepts ", "requires at least", "requires exactly", "bad flag syntax", "if any flags in the group"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
