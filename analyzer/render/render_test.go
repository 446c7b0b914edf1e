package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcshift/vpcshift/analyzer"
)

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// The reports rendered here are the analyzer's own goldens
// (../testdata/NAME.golden), read back: renderers only present a report, so
// their tests need no snapshot, price book or analysis.
var names = []string{"startup", "enterprise", "migrated", "empty"}

func loadReport(t *testing.T, name string) (*analyzer.Report, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", name+".golden"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var r analyzer.Report
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &r, raw
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./analyzer/render -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; run go test ./analyzer/render -update and review the diff\n--- got ---\n%s", path, got)
	}
}

func TestGoldens(t *testing.T) {
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			r, raw := loadReport(t, name)
			var buf bytes.Buffer

			if err := JSON(&buf, r); err != nil {
				t.Fatal(err)
			}
			// The analyzer's golden is what JSON writes: a report read back
			// and written again is byte for byte the same.
			if !bytes.Equal(buf.Bytes(), raw) {
				t.Errorf("JSON(read(golden)) differs from the golden")
			}
			golden(t, name+".json.golden", buf.Bytes())

			buf.Reset()
			if err := CSV(&buf, r); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".csv.golden", buf.Bytes())

			buf.Reset()
			if err := Markdown(&buf, r); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".md.golden", buf.Bytes())

			buf.Reset()
			if err := Table(&buf, r, Options{Width: 140}); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(buf.Bytes(), []byte("\x1b[")) {
				t.Error("plain table has ANSI escape codes")
			}
			golden(t, name+".table.golden", buf.Bytes())

			buf.Reset()
			if err := Table(&buf, r, Options{Colour: true, Width: 140}); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".color.golden", buf.Bytes())
			// Colour changes nothing but the escape codes.
			plain := stripANSI(buf.String())
			var noColour bytes.Buffer
			_ = Table(&noColour, r, Options{Width: 140})
			if plain != noColour.String() {
				t.Error("coloured table differs from the plain one beyond escape codes")
			}
		})
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestCSVHasOneRowPerCostLine(t *testing.T) {
	r, _ := loadReport(t, "enterprise")
	var buf bytes.Buffer
	if err := CSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, res := range r.AllCostLines() {
		want += len(res.Lines)
	}
	if len(rows) != want+1 || strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("%d rows (want %d + header), header %v", len(rows), want, rows[0])
	}
	for _, row := range rows[1:] {
		if len(row) != len(CSVHeader) || row[10] != "snapshot@2026-02-12" {
			t.Errorf("row %v", row)
		}
	}
	// pay-conn: 7 × e2-standard-4 × 730 h.
	found := false
	for _, row := range rows[1:] {
		if strings.HasSuffix(row[1], "/pay-conn") {
			found = row[5] == "5110" && row[7] == "0.13402284" && row[8] == "684.86"
		}
	}
	if !found {
		t.Error("no pay-conn row with 5110 h × 0.13402284 = 684.86")
	}
}

func TestTableFitsWidth(t *testing.T) {
	r, _ := loadReport(t, "enterprise")
	for _, w := range []int{80, 100, 160} {
		var buf bytes.Buffer
		if err := Table(&buf, r, Options{Width: w}); err != nil {
			t.Fatal(err)
		}
		inTable := false
		for _, line := range strings.Split(buf.String(), "\n") {
			// Tables (not the free text of findings, whose resource names
			// are never cut) stay within the width.
			if strings.HasPrefix(line, "  NAME") || strings.HasPrefix(line, "  NETWORK") {
				inTable = true
			}
			if line == "" {
				inTable = false
			}
			if inTable && width(line) > w {
				t.Errorf("width %d: line of %d: %q", w, width(line), line)
			}
		}
	}
}

func TestUnpricedIsNeverZero(t *testing.T) {
	r, _ := loadReport(t, "startup")
	r.Connectors[0].MonthlyCost = nil
	r.Connectors[0].CostLines[0].Monthly = nil
	r.Connectors[0].CostLines[0].UnitPrice = nil
	var md, csvOut, tbl bytes.Buffer
	_ = Markdown(&md, r)
	_ = CSV(&csvOut, r)
	_ = Table(&tbl, r, Options{})
	if !strings.Contains(md.String(), "unpriced") || !strings.Contains(tbl.String(), "unpriced") {
		t.Error("unpriced connector not shown as unpriced")
	}
	rows, _ := csv.NewReader(&csvOut).ReadAll()
	if rows[1][7] != "" || rows[1][8] != "" {
		t.Errorf("unpriced CSV row = %v", rows[1])
	}
}

func TestMoneyFormat(t *testing.T) {
	for _, c := range []struct{ in, cur, want string }{
		{"18.344", "USD", "$18.34"}, {"-0.59999", "USD", "-$0.60"}, {"9606.47359", "USD", "$9,606.47"},
		{"1234567.891", "EUR", "1,234,567.89 EUR"}, {"0", "", "$0.00"},
	} {
		var m analyzer.Money
		_ = json.Unmarshal([]byte(`"`+c.in+`"`), &m)
		if got := formatMoney(m, c.cur); got != c.want {
			t.Errorf("%s %s → %s, want %s", c.in, c.cur, got, c.want)
		}
	}
}
