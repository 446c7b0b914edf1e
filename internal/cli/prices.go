package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vpcshift/vpcshift/internal/pricing"
)

// priceBook returns the book --prices asks for: the embedded snapshot, or
// live Catalog prices (which need a session). Prices the Catalog lacks are
// returned as warnings.
func (o *globalOpts) priceBook(ctx context.Context, s *session) (*pricing.Book, []error, error) {
	if o.prices != "live" {
		if o.currency != "USD" {
			return nil, nil, usageError("the embedded price snapshot is in USD; use --prices live for --currency %s", o.currency)
		}
		b, err := pricing.Snapshot()
		return b, nil, err
	}
	book, warnings, err := s.clients.LivePrices(ctx, o.currency, o.env.Now())
	if err != nil {
		return nil, nil, fmt.Errorf("reading live prices from the Cloud Billing Catalog API: %w", err)
	}
	return book, warnings, nil
}

func newPricesCmd(o *globalOpts) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "prices",
		Short: "Show the price book (embedded snapshot, or --prices live)",
		Long: `Show every unit price vpcshift uses, with the Cloud Billing Catalog SKU it came
from and its source: the embedded snapshot (dated) or, with --prices live,
the Cloud Billing Catalog API read now.

Formats: table (default) or json (the snapshot file format).`,
		Example: `  vpcshift prices
  vpcshift prices --prices live --currency EUR --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var s *session
			if o.prices == "live" {
				var err error
				if s, err = o.connectNoScope(cmd.Context()); err != nil {
					return err
				}
				defer s.Close()
			}
			book, warnings, err := o.priceBook(cmd.Context(), s)
			if err != nil {
				return err
			}
			for _, w := range warnings {
				fmt.Fprintf(o.env.Err, "vpcshift: warning: %v\n", w)
			}
			switch o.format {
			case "", "table":
				return pricesTable(o.env.Out, book)
			case "json":
				return book.Write(o.env.Out)
			}
			return usageError("--format for prices must be table or json, not %q", o.format)
		},
	}
	var out string
	refresh := &cobra.Command{
		Use:   "refresh",
		Short: "Regenerate the price snapshot from the Cloud Billing Catalog API",
		Long: `Read current list prices from the Cloud Billing Catalog API and write them in
the snapshot format (internal/pricing/snapshot.json in the source tree) to
stdout or -o FILE. Rebuild vpcshift to embed a new snapshot.`,
		Example: `  vpcshift prices refresh -o internal/pricing/snapshot.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := o.connectNoScope(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			book, warnings, err := s.clients.LivePrices(cmd.Context(), o.currency, o.env.Now())
			if err != nil {
				return fmt.Errorf("reading the Cloud Billing Catalog API: %w", err)
			}
			for _, w := range warnings {
				fmt.Fprintf(o.env.Err, "vpcshift: warning: %v\n", w)
			}
			var w io.Writer = o.env.Out
			if out != "" && out != "-" {
				tmp := out + ".tmp"
				f, err := os.Create(tmp)
				if err != nil {
					return err
				}
				if err := book.Write(f); err != nil {
					f.Close()
					os.Remove(tmp)
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
				if err := os.Rename(tmp, out); err != nil {
					return err
				}
				fmt.Fprintf(o.env.Err, "✓ wrote %d prices (%s) to %s\n", len(book.Prices()), book.Label(), out)
				return nil
			}
			return book.Write(w)
		},
	}
	refresh.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of stdout (replaced atomically)")
	cmd.AddCommand(refresh)
	return cmd
}

func pricesTable(w io.Writer, b *pricing.Book) error {
	fmt.Fprintf(w, "Price book: %s (%s)\n\n", b.Label(), b.Currency())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tREGION\tUNIT PRICE\tUNIT\tSKU\tDESCRIPTION")
	for _, p := range b.Prices() {
		price := p.UnitPrice.Exact()
		if len(p.Tiers) > 1 {
			price += fmt.Sprintf(" (+%d tiers)", len(p.Tiers)-1)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Kind, p.Region, price, p.Unit, dash(p.SKU), p.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range b.Notes() {
		fmt.Fprintf(w, "\nnote: %s", n)
	}
	if len(b.Notes()) > 0 {
		fmt.Fprintln(w)
	}
	return nil
}
