package pricing

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/vpcshift/vpcshift/internal/money"
)

var update = flag.Bool("update", false, "rewrite snapshot.json in canonical form")

// cloudRunRegions is the Cloud Run location list the snapshot covers: the 40
// regions of https://cloud.google.com/run/docs/locations (Tier 1 and Tier 2,
// stored copies ?hl=JA and ?hl=fr-FR) plus europe-north2 and
// northamerica-south1 from the project brief.
var cloudRunRegions = []string{
	"africa-south1",
	"asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3",
	"asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2",
	"australia-southeast1", "australia-southeast2",
	"europe-central2", "europe-north1", "europe-north2", "europe-southwest1",
	"europe-west1", "europe-west10", "europe-west12", "europe-west2", "europe-west3",
	"europe-west4", "europe-west6", "europe-west8", "europe-west9",
	"me-central1", "me-central2", "me-west1",
	"northamerica-northeast1", "northamerica-northeast2", "northamerica-south1",
	"southamerica-east1", "southamerica-west1",
	"us-central1", "us-east1", "us-east4", "us-east5", "us-south1",
	"us-west1", "us-west2", "us-west3", "us-west4",
}

func mustSnapshot(t *testing.T) *Book {
	t.Helper()
	b, err := Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSnapshotIsCanonical(t *testing.T) {
	b := mustSnapshot(t)
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("snapshot.json", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(buf.Bytes(), snapshotJSON) {
		t.Fatal("snapshot.json is not in canonical form; run go test ./internal/pricing -run TestSnapshotIsCanonical -update")
	}
}

func TestSnapshotCoversEveryCloudRunRegion(t *testing.T) {
	b := mustSnapshot(t)
	if got, want := strings.Join(b.Regions(), ","), strings.Join(cloudRunRegions, ","); got != want {
		t.Fatalf("regions:\n got %s\nwant %s", got, want)
	}
	if len(b.Missing()) != 0 {
		t.Errorf("missing = %v, want none", b.Missing())
	}
	for _, region := range b.Regions() {
		for _, kind := range []Kind{E2CoreHour, E2RAMGiBHour, F1MicroHour} {
			p, err := b.Lookup(kind, region)
			if err != nil {
				t.Error(err)
				continue
			}
			if p.UnitPrice.Sign() <= 0 {
				t.Errorf("%s in %s: price %s", kind, region, p.UnitPrice.Exact())
			}
			// only the two regions that opened after the SKU listing lack an id
			late := region == "europe-north2" || region == "northamerica-south1"
			if (p.SKU == "") != late {
				t.Errorf("%s in %s: sku %q", kind, region, p.SKU)
			}
			if !late && !strings.HasPrefix(p.Description, map[Kind]string{
				E2CoreHour: "E2 Instance Core running in ", E2RAMGiBHour: "E2 Instance Ram running in ",
				F1MicroHour: "Micro Instance with burstable CPU running in ",
			}[kind]) {
				t.Errorf("%s in %s: description %q", kind, region, p.Description)
			}
		}
	}
	for _, kind := range Kinds {
		if kind.Global() {
			if _, err := b.Lookup(kind, Global); err != nil {
				t.Error(err)
			}
		}
	}
}

func TestSnapshotHeader(t *testing.T) {
	b := mustSnapshot(t)
	if b.Source() != "snapshot" || b.Currency() != "USD" {
		t.Fatalf("source %q currency %q", b.Source(), b.Currency())
	}
	if b.Date() != "2026-02-12" || b.Label() != "snapshot@2026-02-12" {
		t.Fatalf("date %q label %q", b.Date(), b.Label())
	}
	if len(b.Sources()) == 0 || len(b.Notes()) == 0 {
		t.Fatal("the snapshot must say where its figures come from")
	}
	for _, p := range b.Prices() {
		if p.Source != b.Label() {
			t.Fatalf("%s in %s: source %q", p.Kind, p.Region, p.Source)
		}
	}
}

// gcp-facts.md §8.1: figures from Cyclenerd pricing.yml generated 2026-07-30.
func TestSnapshotMatchesReferenceFigures(t *testing.T) {
	b := mustSnapshot(t)
	tests := []struct {
		kind         Kind
		region, want string
		sku          string
	}{
		{E2CoreHour, "us-central1", "0.02181159", "CF4E-A0C7-E3BF"},
		{E2RAMGiBHour, "us-central1", "0.00292353", "F449-33EC-A5EF"},
		{F1MicroHour, "us-central1", "0.0076", "5CE5-087B-6C3C"},
		{E2CoreHour, "europe-west1", "0.02399337", "9FE0-8F60-A9F0"},
		{E2RAMGiBHour, "europe-west1", "0.00321609", "F268-6CE7-AC16"},
		{F1MicroHour, "europe-west1", "0.0086", "5619-DD14-5F41"},
		{E2CoreHour, "asia-northeast1", "0.02802642", "EAED-8A05-843B"},
		{E2RAMGiBHour, "asia-northeast1", "0.00373911", "CB4B-B875-93B4"},
		{F1MicroHour, "asia-northeast1", "0.0092", "9E0C-B73D-E7DF"},
		{E2CoreHour, "europe-west3", "0.0281037", "C921-088E-792A"},
		{E2RAMGiBHour, "europe-west3", "0.00376602", "7D80-F9E4-6A44"},
		{E2CoreHour, "europe-central2", "0.0263922", "955B-B00E-ED15"},
		{E2RAMGiBHour, "europe-central2", "0.00353742", "56D3-3D40-B0F6"},
		{NATUptimeVMHour, Global, "0.0014", "32E2-4EFC-EF9F"},
		{NATUptimeCapHour, Global, "0.044", ""},
		{NATDataGiB, Global, "0.045", "015F-5732-FFF0"},
		{NATIPHour, Global, "0.005", "8515-9425-D2CE"},
		{DNSZoneHour, Global, "0.000273973", ""},
		{DNSQueryMillion, Global, "0.4", ""},
	}
	for _, tt := range tests {
		p, err := b.Lookup(tt.kind, tt.region)
		if err != nil {
			t.Error(err)
			continue
		}
		if p.UnitPrice.Exact() != tt.want || p.SKU != tt.sku {
			t.Errorf("%s in %s = %s (%s), want %s (%s)", tt.kind, tt.region, p.UnitPrice.Exact(), p.SKU, tt.want, tt.sku)
		}
	}
}

func TestLoadWriteRoundTripIsByteIdentical(t *testing.T) {
	b, err := Load(bytes.NewReader(snapshotJSON))
	if err != nil {
		t.Fatal(err)
	}
	var first, second bytes.Buffer
	if err := b.Write(&first); err != nil {
		t.Fatal(err)
	}
	b2, err := Load(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := b2.Write(&second); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) || !bytes.Equal(first.Bytes(), snapshotJSON) {
		t.Fatal("Load/Write is not byte-identical")
	}
}

func TestLoadRejects(t *testing.T) {
	valid := `{"source":"snapshot","date":"2026-01-01","currency":"USD","sources":[],"notes":[],"missing":[],"prices":[%s]}`
	tests := []struct {
		name, doc, want string
	}{
		{"not json", `{`, "reading price book"},
		{"unknown field", `{"date":"2026-01-01","currency":"USD","prices":[],"extra":1}`, "unknown field"},
		{"no date", `{"currency":"USD","prices":[]}`, "no date"},
		{"no currency", `{"date":"2026-01-01","prices":[]}`, "no currency"},
		{"bad source", `{"source":"guess","date":"2026-01-01","currency":"USD","prices":[]}`, "neither snapshot nor catalog"},
		{"unknown kind", strings.Replace(valid, "%s", `{"kind":"gpu-hour","region":"us-central1","unit":"h","unitPrice":"1","sku":"","description":""}`, 1), "unknown kind"},
		{"no unit price", strings.Replace(valid, "%s", `{"kind":"e2-core-hour","region":"us-central1","unit":"h","sku":"","description":""}`, 1), "no unitPrice"},
		{"bad amount", strings.Replace(valid, "%s", `{"kind":"e2-core-hour","region":"us-central1","unit":"h","unitPrice":"abc","sku":"","description":""}`, 1), "invalid amount"},
		{"wrong unit", strings.Replace(valid, "%s", `{"kind":"e2-core-hour","region":"us-central1","unit":"GiBy","unitPrice":"1","sku":"","description":""}`, 1), "unit"},
		{"regional as global", strings.Replace(valid, "%s", `{"kind":"e2-core-hour","region":"global","unit":"h","unitPrice":"1","sku":"","description":""}`, 1), "regional"},
		{"global in a region", strings.Replace(valid, "%s", `{"kind":"nat-data-gib","region":"us-east1","unit":"GiBy","unitPrice":"1","sku":"","description":""}`, 1), "global"},
		{"negative", strings.Replace(valid, "%s", `{"kind":"nat-data-gib","region":"global","unit":"GiBy","unitPrice":"-1","sku":"","description":""}`, 1), "negative"},
		{"duplicate", strings.Replace(valid, "%s", `{"kind":"nat-data-gib","region":"global","unit":"GiBy","unitPrice":"1","sku":"","description":""},{"kind":"nat-data-gib","region":"global","unit":"GiBy","unitPrice":"2","sku":"","description":""}`, 1), "two prices"},
		{"tiers out of order", strings.Replace(valid, "%s", `{"kind":"dns-query-million","region":"global","unit":"10^6.count","unitPrice":"0.4","tiers":[{"startUsage":"0","unitPrice":"0.4"},{"startUsage":"0","unitPrice":"0.2"}],"sku":"","description":""}`, 1), "does not start after"},
		{"first tier not at 0", strings.Replace(valid, "%s", `{"kind":"dns-query-million","region":"global","unit":"10^6.count","unitPrice":"0.4","tiers":[{"startUsage":"1","unitPrice":"0.4"}],"sku":"","description":""}`, 1), "not 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadedFileKeepsItsSourceAndMissing(t *testing.T) {
	doc := `{"source":"catalog","date":"2026-11-25T10:00:00Z","currency":"USD","sources":["x"],"notes":[],` +
		`"missing":[{"kind":"f1-micro-hour","region":"europe-north2","reason":"not sold there"}],` +
		`"prices":[{"kind":"e2-core-hour","region":"europe-north2","unit":"h","unitPrice":"0.02290217","sku":"","description":""}]}`
	b, err := Load(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if b.Label() != "catalog@2026-11-25T10:00:00Z" {
		t.Fatalf("label %q", b.Label())
	}
	_, err = b.Lookup(F1MicroHour, "europe-north2")
	var mp *MissingPriceError
	if !errors.As(err, &mp) || mp.Reason != "not sold there" {
		t.Fatalf("err = %v", err)
	}
	want := "no price for f1-micro-hour in region europe-north2 in catalog@2026-11-25T10:00:00Z: not sold there"
	if err.Error() != want {
		t.Fatalf("err = %q, want %q", err, want)
	}
	if got := b.Prices()[0].UnitPrice; got.Cmp(money.MustParse("0.02290217")) != 0 {
		t.Fatalf("price %s", got.Exact())
	}
}
