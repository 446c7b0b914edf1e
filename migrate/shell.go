package migrate

import (
	"strings"
)

// ShellQuote returns s as one word for a POSIX shell: unchanged when it
// holds only characters no shell treats specially, else in single quotes
// (a single quote inside becomes '\”). Whatever s holds — quotes, $(),
// backticks, ;, newlines — the shell passes it on byte for byte. It is
// the one quoting helper behind every command the plan and its runbooks
// print.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("@%+=:,./_-", c) >= 0:
		default:
			safe = false
		}
		if !safe {
			break
		}
	}
	// A leading '=' or '-' is safe for the shell; it is the command's
	// business. A word starting with '~' would be expanded: '~' is not in
	// the safe set.
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellJoin writes a command line, each word through ShellQuote.
func shellJoin(args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = ShellQuote(a)
	}
	return strings.Join(q, " ")
}

// idPart makes a name safe and stable inside a step ID: letters, digits,
// '.', '_' and '-' stay, anything else becomes %XX (names the APIs accept
// never need it; hostile ones cannot break out of an ID).
func idPart(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
			b.WriteByte(c)
		default:
			b.WriteString("%")
			b.WriteString(strings.ToUpper(hex2(c)))
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// stepID joins ID parts with '/', each made safe.
func stepID(parts ...string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = idPart(p)
	}
	return strings.Join(out, "/")
}
