package estate

import (
	"testing"

	"github.com/vpcshift/vpcshift/internal/money"
)

func TestFormatMoney(t *testing.T) {
	for _, tt := range []struct{ in, currency, want string }{
		{"0", "USD", "$0.00"},
		{"885.055", "USD", "$885.06"},
		{"10620.66", "USD", "$10,620.66"},
		{"1234567.891", "USD", "$1,234,567.89"},
		{"-46.13", "USD", "-$46.13"},
		{"-0.001", "USD", "$0.00"},
		{"99.5", "EUR", "€99.50"},
		{"1000", "CHF", "1,000.00 CHF"},
	} {
		if got := FormatMoney(money.MustParse(tt.in), tt.currency); got != tt.want {
			t.Errorf("FormatMoney(%s, %s) = %q, want %q", tt.in, tt.currency, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 10000: "10,000", -1234: "-1,234"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
