package pricing

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/vpcshift/vpcshift/internal/money"
)

// snapshotJSON is the embedded, dated price snapshot. Regenerate it with
// `vpcshift prices refresh` (FromCatalog, then Write) or edit it by hand and
// run `go test ./internal/pricing -run TestSnapshotIsCanonical -update`;
// README.md says where every figure comes from.
//
//go:embed snapshot.json
var snapshotJSON []byte

var snapshotOnce = sync.OnceValues(func() (*Book, error) {
	b, err := Load(bytes.NewReader(snapshotJSON))
	if err != nil {
		return nil, fmt.Errorf("pricing: embedded snapshot: %w", err)
	}
	return b, nil
})

// Snapshot returns the embedded snapshot, parsed once. The Book is immutable
// and shared.
func Snapshot() (*Book, error) { return snapshotOnce() }

// fileFormat is the JSON form of a Book, as embedded in snapshot.json and as
// written by Write.
type fileFormat struct {
	Source   string         `json:"source"`
	Date     string         `json:"date"`
	Currency string         `json:"currency"`
	Sources  []string       `json:"sources"`
	Notes    []string       `json:"notes"`
	Missing  []MissingEntry `json:"missing"`
	Prices   []filePrice    `json:"prices"`
}

// filePrice is a Price without its Source: the file's source and date say
// that once.
type filePrice struct {
	Kind        Kind          `json:"kind"`
	Region      string        `json:"region"`
	Unit        string        `json:"unit"`
	UnitPrice   *money.Amount `json:"unitPrice"`
	Tiers       []Tier        `json:"tiers,omitempty"`
	SKU         string        `json:"sku"`
	Description string        `json:"description"`
	Note        string        `json:"note,omitempty"`
}

// Load reads a price book in the snapshot JSON format. A file without a
// "source" is a snapshot.
func Load(r io.Reader) (*Book, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f fileFormat
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("pricing: reading price book: %w", err)
	}
	if f.Source == "" {
		f.Source = "snapshot"
	}
	prices := make([]Price, 0, len(f.Prices))
	for i, fp := range f.Prices {
		if fp.UnitPrice == nil {
			return nil, fmt.Errorf("pricing: price %d (%s in %s) has no unitPrice", i, fp.Kind, fp.Region)
		}
		prices = append(prices, Price{
			Kind: fp.Kind, Region: fp.Region, Unit: fp.Unit, UnitPrice: *fp.UnitPrice,
			Tiers: fp.Tiers, SKU: fp.SKU, Description: fp.Description, Note: fp.Note,
		})
	}
	for _, m := range f.Missing {
		if !m.Kind.Known() {
			return nil, fmt.Errorf("pricing: missing entry for unknown kind %q", m.Kind)
		}
	}
	return newBook(f.Source, f.Date, f.Currency, f.Sources, f.Notes, f.Missing, prices)
}

// Write writes b in the snapshot JSON format: two-space indented, prices
// sorted by kind and region, amounts as exact decimal strings, so that
// Write(Load(x)) reproduces x byte for byte.
func (b *Book) Write(w io.Writer) error {
	f := fileFormat{
		Source: b.source, Date: b.date, Currency: b.currency,
		Sources: nonNil(b.sources), Notes: nonNil(b.notes), Missing: nonNil(b.missing),
		Prices: make([]filePrice, 0, len(b.prices)),
	}
	for _, p := range b.prices {
		f.Prices = append(f.Prices, filePrice{
			Kind: p.Kind, Region: p.Region, Unit: p.Unit, UnitPrice: &p.UnitPrice,
			Tiers: p.Tiers, SKU: p.SKU, Description: p.Description, Note: p.Note,
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("pricing: writing price book: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
