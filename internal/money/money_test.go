package money

import (
	"encoding/json"
	"testing"
)

func TestArithmeticIsExact(t *testing.T) {
	// 2 × e2-micro in us-central1 for 730 h: 0.25×0.02181159 + 1×0.00292353 = 0.0083764275 per hour.
	core := MustParse("0.02181159")
	ram := MustParse("0.00292353")
	hourly := core.Mul(FromFrac(1, 4)).Add(ram)
	if got := hourly.Exact(); got != "0.0083764275" {
		t.Fatalf("hourly = %s, want 0.0083764275", got)
	}
	monthly := hourly.MulInt(2).MulInt(HoursPerMonth)
	if got := monthly.Exact(); got != "12.22958415" {
		t.Fatalf("monthly exact = %s", got)
	}
	if got := monthly.String(); got != "12.23" {
		t.Fatalf("monthly = %s, want 12.23", got)
	}
	// a third never sums back to anything but one
	third := FromFrac(1, 3)
	if Sum(third, third, third).Cmp(FromInt(1)) != 0 {
		t.Fatal("1/3+1/3+1/3 != 1")
	}
}

func TestRoundingHalfAwayFromZero(t *testing.T) {
	cases := map[string]string{"0.005": "0.01", "0.004": "0.00", "-0.005": "-0.01", "-0.001": "0.00", "2.675": "2.68"}
	for in, want := range cases {
		if got := MustParse(in).String(); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	a := MustParse("0.000273973")
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `"0.000273973"` {
		t.Fatalf("json = %s", b)
	}
	var back Amount
	if err := json.Unmarshal(b, &back); err != nil || back.Cmp(a) != 0 {
		t.Fatalf("round trip: %v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`"abc"`), &back); err == nil {
		t.Fatal("want error for abc")
	}
	if FromUnitsNanos(1, 500_000_000).Exact() != "1.5" {
		t.Fatal("units/nanos")
	}
	if MustParse("2.1").Ceil() != 3 || MustParse("2").Ceil() != 2 {
		t.Fatal("ceil")
	}
}
