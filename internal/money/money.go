// Package money holds exact decimal amounts for prices, usage quantities and
// costs. Amounts are rational numbers (math/big.Rat), so sums and products
// never lose a fraction of a cent; they are rounded only when shown.
//
// An Amount is immutable: every operation returns a new value, so Amounts can
// be copied and shared freely.
package money

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
)

// HoursPerMonth is the number of hours in a billing month as Google prices
// it (and as vpcshift reports it): 730.
const HoursPerMonth = 730

// Amount is an exact rational number. The zero value is 0.
type Amount struct {
	r *big.Rat
}

func (a Amount) rat() *big.Rat {
	if a.r == nil {
		return new(big.Rat)
	}
	return a.r
}

func wrap(r *big.Rat) Amount { return Amount{r: r} }

// Zero is 0.
var Zero = Amount{}

// Parse reads a decimal string such as "0.0083764", "-12", "1e-9" or a
// fraction "1/3".
func Parse(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Amount{}, fmt.Errorf("empty amount")
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Amount{}, fmt.Errorf("invalid amount %q", s)
	}
	return wrap(r), nil
}

// MustParse is Parse for constants known to be valid; it panics otherwise.
func MustParse(s string) Amount {
	a, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

// FromInt returns n.
func FromInt(n int64) Amount { return wrap(new(big.Rat).SetInt64(n)) }

// FromFrac returns num/den.
func FromFrac(num, den int64) Amount {
	if den == 0 {
		panic("money: zero denominator")
	}
	return wrap(big.NewRat(num, den))
}

// FromUnitsNanos converts a google.type.Money style (units, nanos) pair.
func FromUnitsNanos(units int64, nanos int32) Amount {
	r := new(big.Rat).SetInt64(units)
	r.Add(r, big.NewRat(int64(nanos), 1_000_000_000))
	return wrap(r)
}

// Add returns a+b.
func (a Amount) Add(b Amount) Amount { return wrap(new(big.Rat).Add(a.rat(), b.rat())) }

// Sub returns a-b.
func (a Amount) Sub(b Amount) Amount { return wrap(new(big.Rat).Sub(a.rat(), b.rat())) }

// Mul returns a×b.
func (a Amount) Mul(b Amount) Amount { return wrap(new(big.Rat).Mul(a.rat(), b.rat())) }

// MulInt returns a×n.
func (a Amount) MulInt(n int64) Amount {
	return wrap(new(big.Rat).Mul(a.rat(), new(big.Rat).SetInt64(n)))
}

// Div returns a÷b; it panics when b is zero.
func (a Amount) Div(b Amount) Amount {
	if b.Sign() == 0 {
		panic("money: division by zero")
	}
	return wrap(new(big.Rat).Quo(a.rat(), b.rat()))
}

// DivInt returns a÷n; it panics when n is zero.
func (a Amount) DivInt(n int64) Amount {
	if n == 0 {
		panic("money: division by zero")
	}
	return wrap(new(big.Rat).Quo(a.rat(), new(big.Rat).SetInt64(n)))
}

// Neg returns -a.
func (a Amount) Neg() Amount { return wrap(new(big.Rat).Neg(a.rat())) }

// Sign is -1, 0 or +1.
func (a Amount) Sign() int { return a.rat().Sign() }

// IsZero reports whether a is 0.
func (a Amount) IsZero() bool { return a.Sign() == 0 }

// Cmp compares a and b: -1, 0, +1.
func (a Amount) Cmp(b Amount) int { return a.rat().Cmp(b.rat()) }

// Min returns the smaller of a and b.
func Min(a, b Amount) Amount {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// Max returns the larger of a and b.
func Max(a, b Amount) Amount {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

// Sum adds all amounts.
func Sum(as ...Amount) Amount {
	r := new(big.Rat)
	for _, a := range as {
		r.Add(r, a.rat())
	}
	return wrap(r)
}

// Round returns a rounded to places decimals, half away from zero.
func (a Amount) Round(places int) Amount {
	r, _ := new(big.Rat).SetString(a.Fixed(places))
	return wrap(r)
}

// Fixed formats a with exactly places decimals, rounding half away from zero
// (big.Rat.FloatString rounds that way).
func (a Amount) Fixed(places int) string {
	s := a.rat().FloatString(places)
	if strings.HasPrefix(s, "-") && strings.Trim(s, "-0.") == "" {
		return s[1:] // no "-0.00"
	}
	return s
}

// String is the amount with 2 decimals, as money is shown.
func (a Amount) String() string { return a.Fixed(2) }

// Exact is the exact decimal expansion when it terminates within 18
// decimals (trailing zeros trimmed), else the value rounded to 18 decimals.
func (a Amount) Exact() string {
	s := a.rat().FloatString(18)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Float64 is for charts only; never sum floats.
func (a Amount) Float64() float64 {
	f, _ := a.rat().Float64()
	return f
}

// Ceil returns the smallest integer ≥ a.
func (a Amount) Ceil() int64 {
	r := a.rat()
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}

// MarshalJSON writes the exact decimal as a JSON string. Reports that want
// two decimals use Fixed(2) explicitly.
func (a Amount) MarshalJSON() ([]byte, error) { return json.Marshal(a.Exact()) }

// UnmarshalJSON accepts a JSON string or number.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		s = string(b)
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}
