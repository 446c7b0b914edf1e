package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vpcshift/vpcshift/migrate"
)

// Shell writes the plan as a bash script: set -euo pipefail, one block per
// step, every value through migrate.ShellQuote, a describe-based guard
// before each change (so that re-running a finished step is harmless), a
// question before each stage (VPCSHIFT_YES=1 answers it, for CI), and a
// stop at every step a person must do (VPCSHIFT_CONFIRMED=FILE lists the
// step IDs done by hand).
func Shell(w io.Writer, p *migrate.Plan) error {
	bw := bufio.NewWriter(w)
	sh := &shellWriter{w: bw}
	sh.header(p)
	total := countSteps(p)
	n := 0
	for i := range p.Stages {
		st := &p.Stages[i]
		sh.stage(i+1, st)
		for j := range st.Steps {
			n++
			sh.step(n, total, &st.Steps[j])
		}
	}
	sh.ln("")
	sh.line("printf '\\nvpcshift: every step of the plan is done.\\n'")
	return bw.Flush()
}

type shellWriter struct {
	w *bufio.Writer
}

func (s *shellWriter) line(format string, args ...any) {
	fmt.Fprintf(s.w, format, args...)
	s.w.WriteByte('\n')
}

// ln writes one line as it is.
func (s *shellWriter) ln(l string) {
	s.w.WriteString(l)
	s.w.WriteByte('\n')
}

// comment writes text as comment lines; control characters in it (a
// newline in a name) cannot end the comment.
func (s *shellWriter) comment(text string) {
	for _, l := range wrap(oneLine(text), 76) {
		s.line("# %s", l)
	}
}

// say prints text at run time, literally.
func (s *shellWriter) say(indent, text string) {
	for _, l := range strings.Split(text, "\n") {
		s.line("say %s", q(indent+l))
	}
}

// q is the one quoting helper of the script.
func q(v string) string { return migrate.ShellQuote(v) }

const shellPrelude = `set -euo pipefail

# VPCSHIFT_YES=1            answer yes to every stage question (CI)
# VPCSHIFT_CONFIRMED=FILE   step IDs done by hand (manual steps, soaks), one a line
# VPCSHIFT_SKIP_WAIT=1      do not wait for the canary soak between traffic steps
# VPCSHIFT_ALLOW_NAT_REMOVAL=1  allow the steps that remove a Cloud NAT gateway
# VPCSHIFT_SOURCE_<FUNCTION>=DIR  source directory of a 2nd gen function
#                           (gcloud functions deploy rebuilds from source)

say() { printf '%s\n' "$1"; }

stage() {
  printf '\n=== Stage %s: %s ===\n' "$1" "$2"
  if [ "${VPCSHIFT_YES:-}" = 1 ]; then return 0; fi
  local answer=''
  read -r -p "Run stage $1 ($2)? [y/N] " answer || true
  case "$answer" in
    y | Y | yes | YES) ;;
    *) printf 'Stopped before stage %s. Re-run this script to go on: finished steps are skipped.\n' "$1"; exit 1 ;;
  esac
}

step() { printf '\n--> [%s] %s\n    %s\n' "$1" "$2" "$3"; }

already() { printf '    already done: %s\n' "$1"; }

# has_line TEXT LINE: a line of TEXT is exactly LINE (no pipe: nothing to
# race with pipefail).
has_line() { case $'\n'"$1"$'\n' in *$'\n'"$2"$'\n'*) return 0 ;; esac; return 1; }

# has_any TEXT PART...: TEXT contains one of the PARTs.
has_any() {
  local text=$1
  shift
  local part
  for part in "$@"; do
    case "$text" in *"$part"*) return 0 ;; esac
  done
  return 1
}

run() {
  printf '    $'
  printf ' %q' "$@"
  printf '\n'
  "$@"
}

confirmed() {
  [ -n "${VPCSHIFT_CONFIRMED:-}" ] && [ -f "$VPCSHIFT_CONFIRMED" ] && grep -qxF -- "$1" "$VPCSHIFT_CONFIRMED"
}

stop_for() {
  printf '\n    This step needs a person (a manual step, or a wait). When it is done, record it and run this script again:\n'
  printf '      printf %%s\\\\n %q >> confirmed.txt\n' "$1"
  printf '      VPCSHIFT_CONFIRMED=confirmed.txt %q\n' "$0"
  exit 3
}

watch_canary() {
  if [ "${VPCSHIFT_SKIP_WAIT:-}" = 1 ]; then return 0; fi
  printf '    watching for %s: compare errors and latency of %s with %s (Cloud Run metrics, by revision)\n' "$2" "$3" "$4"
  sleep "$1"
  if [ "${VPCSHIFT_YES:-}" = 1 ]; then return 0; fi
  local answer=''
  read -r -p "    Is $3 healthy? [y/N] " answer || true
  case "$answer" in
    y | Y | yes | YES) ;;
    *) printf '    Stopped. To roll back, see the rollback comment of this step.\n'; exit 1 ;;
  esac
}
`

func (s *shellWriter) header(p *migrate.Plan) {
	s.ln("#!/usr/bin/env bash")
	s.comment("vpcshift migration plan, as a gcloud script. Generated from the plan; do not edit: make a new plan instead.")
	s.comment(fmt.Sprintf("Plan made %s from inventory %s (%d resources) of %s; prices %s.",
		p.CreatedAt.UTC().Format(time.RFC3339), p.Source.Fingerprint, len(p.Source.Resources), strings.Join(p.Source.Projects, ", "), p.Source.Prices))
	sm := p.Summary
	s.comment(fmt.Sprintf("Saves %s a month (%s a year); %s more once the blockers are resolved. Moves %d consumer(s); %d stay where they are.",
		money(sm.MonthlySavings, sm.Currency), money(sm.AnnualSavings, sm.Currency), money(sm.BlockedMonthlySavings, sm.Currency), sm.ConsumersMoved, sm.ConsumersBlocked))
	s.comment("Review the Markdown runbook first (vpcshift plan render PLAN --format markdown). Re-running is safe: each step checks (describe) whether it is already done. vpcshift apply PLAN runs the same plan through the APIs with verification, a journal and automatic rollback.")
	s.ln("")
	s.w.WriteString(shellPrelude)
	if p.Stopped() {
		s.ln("")
		s.comment("This plan stops at blockers: the preflight stage lists them and ends the script.")
	}
}

func (s *shellWriter) stage(n int, st *migrate.Stage) {
	s.ln("")
	s.ln("# " + strings.Repeat("=", 76))
	s.comment(fmt.Sprintf("Stage %d: %s. %s", n, st.Title, st.Description))
	s.ln("# " + strings.Repeat("=", 76))
	if len(st.Steps) == 0 {
		s.line("say %s", q(fmt.Sprintf("=== Stage %d: %s: nothing to do ===", n, st.Title)))
		return
	}
	s.line("stage %s %s", q(fmt.Sprint(n)), q(st.Title))
}

func (s *shellWriter) step(n, total int, st *migrate.Step) {
	s.ln("")
	s.comment(fmt.Sprintf("Step %d/%d %s (%s)", n, total, st.ID, st.Action))
	s.comment(st.Title)
	if st.MonthlyCostDelta != "" {
		s.comment("Monthly cost change: " + st.MonthlyCostDelta)
	}
	for _, r := range st.Risks {
		s.comment("Risk: " + r)
	}
	if st.Rollback != nil {
		s.comment("Roll back: " + st.Rollback.Description)
		for _, c := range st.Rollback.Commands {
			s.ln("#   " + oneLine(c))
		}
	}
	s.line("step %s %s %s", q(fmt.Sprintf("%d/%d", n, total)), q(st.ID), q(oneLine(st.Title)))
	switch st.Action {
	case migrate.ActionCheck:
		s.say("    ", st.Params.Instructions)
		s.line("say %s", q("    The plan stops here. Resolve the above, then make a new plan (vpcshift plan)."))
		s.ln("exit 4")
	case migrate.ActionManual, migrate.ActionSoak:
		s.line("if confirmed %s; then", q(st.ID))
		s.line("  already %s", q("confirmed by hand"))
		s.ln("else")
		if st.Action == migrate.ActionSoak {
			s.line("  say %s", q(fmt.Sprintf("    Wait %s after the previous steps finished (%s), then confirm this step.", st.Params.Wait.Short(), strings.Join(st.DependsOn, ", "))))
		} else {
			for _, l := range strings.Split(st.Params.Instructions, "\n") {
				s.line("  say %s", q("    "+l))
			}
			for _, c := range st.Params.Commands {
				s.line("  say %s", q("      "+c))
			}
		}
		s.line("  stop_for %s", q(st.ID))
		s.ln("fi")
	case migrate.ActionValidate:
		s.line("say %s", q("    gcloud has no validate-only update: vpcshift apply validates this server-side; skipped here"))
	default:
		if st.Action == migrate.ActionRemoveNAT {
			s.ln("if [ \"${VPCSHIFT_ALLOW_NAT_REMOVAL:-}\" != 1 ]; then")
			s.line("  say %s", q("    Removing a Cloud NAT gateway needs VPCSHIFT_ALLOW_NAT_REMOVAL=1 (vpcshift apply: --allow-nat-removal). "+st.Params.Instructions))
			s.ln("  exit 3")
			s.ln("fi")
		}
		for _, o := range ops(st) {
			s.op(o)
		}
		if st.Action == migrate.ActionShiftTraffic && st.Params.Wait > 0 {
			s.line("watch_canary %s %s %s %s", q(fmt.Sprint(int64(st.Params.Wait.Std()/time.Second))), q(st.Params.Wait.Short()), q(st.Params.Revision), q(st.Params.PreviousRevision))
		}
	}
}

// op writes one guarded change.
func (s *shellWriter) op(o op) {
	if o.sourceEnv != "" {
		s.line("src=${%s:-}", o.sourceEnv)
		s.ln("if [ -z \"$src\" ]; then")
		s.line("  say %s", q("    gcloud functions deploy rebuilds the function from source: set "+o.sourceEnv+" to its source directory and run again (vpcshift apply changes only its VPC settings, without a rebuild)."))
		s.ln("  exit 3")
		s.ln("fi")
	}
	argv := commandArgs(o)
	describe := commandLine(o.guard.argv)
	switch o.guard.kind {
	case doneIfSucceeds:
		s.line("if %s >/dev/null 2>&1; then", describe)
	case doneIfFails:
		s.line("if ! %s >/dev/null 2>&1; then", describe)
	case doneIfEquals:
		s.line("if [ \"$(%s 2>/dev/null || true)\" = %s ]; then", describe, q(o.guard.value[0]))
	case doneIfLine:
		s.line("if has_line \"$(%s 2>/dev/null || true)\" %s; then", describe, q(o.guard.value[0]))
	case doneIfContains:
		s.line("if has_any \"$(%s 2>/dev/null || true)\" %s; then", describe, q(o.guard.value[0]))
	case doneUnlessFound:
		var pats []string
		for _, v := range o.guard.value {
			pats = append(pats, q(v))
		}
		s.line("if ! has_any \"$(%s 2>/dev/null || true)\" %s; then", describe, strings.Join(pats, " "))
	}
	s.line("  already %s", q(commandLine(displayArgs(o.argv))))
	s.line("else")
	s.line("  run %s", argv)
	s.line("fi")
}

// commandArgs quotes argv, with the source directory as "$src".
func commandArgs(o op) string {
	q := make([]string, len(o.argv))
	for i, a := range o.argv {
		if a == sourceDir {
			q[i] = `"$src"`
			continue
		}
		q[i] = migrate.ShellQuote(a)
	}
	return strings.Join(q, " ")
}

func countSteps(p *migrate.Plan) int {
	n := 0
	for _, st := range p.Stages {
		n += len(st.Steps)
	}
	return n
}
