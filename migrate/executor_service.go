package migrate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vpcshift/vpcshift/internal/inventory"
)

// The service canary: deploy-revision puts the new revision (Direct VPC
// egress) next to the one serving, with no traffic, under a tag, and waits
// until it is Ready; each shift-traffic moves a share of the traffic to it,
// soaks, and compares its 5xx ratio with the previous revision's. A failed
// check rolls the service back (traffic first, then its VPC access, then
// its original traffic split) and stops the run.

func (r *run) tagOf(s *Step) string {
	return firstNonBlank(s.Params.Tag, r.plan.Options.Tag, "vpcshift")
}

// deployStepOf is the deploy-revision step of a service step's consumer.
func (r *run) deployStepOf(s *Step) *Step {
	if s.Action == ActionDeployRevision {
		return s
	}
	for _, st := range r.plan.Stages {
		for i := range st.Steps {
			d := &st.Steps[i]
			if d.Action == ActionDeployRevision && d.Resource == s.Resource {
				return d
			}
		}
	}
	return nil
}

// firstConsumerPre is the consumer as it was before vpcshift first changed
// it (the pre-image of its first intent, across runs).
func firstConsumerPre(recs []Record, resource string) *inventory.ConsumerState {
	for _, rec := range recs {
		if rec.Type == RecordIntent && rec.Resource == resource && rec.Pre != nil && rec.Pre.Consumer != nil {
			return rec.Pre.Consumer
		}
	}
	return nil
}

// pinTraffic turns a service's traffic into explicit revisions (LATEST
// becomes the revision serving it), dropping entries under tag that serve
// nothing.
func pinTraffic(st *inventory.ConsumerState, tag string) []inventory.TrafficTarget {
	if len(st.Traffic) == 0 {
		return []inventory.TrafficTarget{{Type: "REVISION", Revision: st.LatestReadyRevision, Percent: 100}}
	}
	var out []inventory.TrafficTarget
	for _, t := range st.Traffic {
		if tag != "" && t.Tag == tag {
			if t.Percent == 0 {
				continue
			}
			t.Tag = ""
		}
		if t.Type == "LATEST" || t.Revision == "" {
			t.Type, t.Revision = "REVISION", st.LatestReadyRevision
		}
		out = append(out, t)
	}
	return out
}

// renameRevision replaces a planned revision name by the one deployed.
func renameRevision(ts []inventory.TrafficTarget, from, to string) []inventory.TrafficTarget {
	out := make([]inventory.TrafficTarget, len(ts))
	copy(out, ts)
	if from == "" || from == to {
		return out
	}
	for i := range out {
		if out[i].Revision == from {
			out[i].Revision = to
		}
	}
	return out
}

// maxRevisionName is Cloud Run's limit on a revision name.
const maxRevisionName = 63

// revisionBase is the new revision's name: the plan's, else
// SERVICE-GGGGG-TAG from the generation the update will have.
func revisionBase(s *Step, st *inventory.ConsumerState, tag string) string {
	if s.Params.Revision != "" {
		return s.Params.Revision
	}
	svc := segLast(s.Resource)
	name := fmt.Sprintf("%s-%05d-%s", svc, st.Generation+1, tag)
	if len(name) > maxRevisionName {
		name = name[:maxRevisionName]
	}
	return strings.TrimRight(name, "-")
}

// chooseRevision picks the name of this deploy attempt: the base name,
// unless an earlier attempt (one that failed or was rolled back, so that a
// revision of that name may exist) used it; then base-2, base-3, …
// inflight is true when the last attempt was interrupted after it created
// its revision (the live service's latest revision is that name).
func chooseRevision(recs []Record, s *Step, st *inventory.ConsumerState, base string) (name string, inflight bool) {
	var names []string
	ended := map[int]bool{}
	for i, rec := range recs {
		if rec.Step != s.ID {
			continue
		}
		switch rec.Type {
		case RecordIntent:
			n := ""
			if rec.Post != nil {
				n = rec.Post.Revision
			}
			names = append(names, n)
		case RecordOutcome, RecordRollbackOutcome:
			if len(names) > 0 {
				ended[len(names)-1] = true
			}
		}
		_ = i
	}
	used := map[string]bool{}
	for i, n := range names {
		if n == "" {
			continue
		}
		if i == len(names)-1 && !ended[i] {
			if st.LatestCreatedRevision == n {
				return n, true
			}
			continue // never created: free
		}
		used[n] = true
	}
	for k := 1; ; k++ {
		name = base
		if k > 1 {
			suffix := fmt.Sprintf("-%d", k)
			if len(base)+len(suffix) > maxRevisionName {
				name = strings.TrimRight(base[:maxRevisionName-len(suffix)], "-")
			}
			name += suffix
		}
		if !used[name] {
			return name, false
		}
	}
}

// servingTotal is the traffic the service's revisions serve (100 when the
// split is whole).
func servingTotal(st *inventory.ConsumerState) int {
	n := 0
	for _, p := range st.TrafficByRevision {
		n += p
	}
	return n
}

// doDeployRevision deploys the new revision with no traffic under the tag.
func (r *run) doDeployRevision(ctx context.Context, s *Step) (StepStatus, string, error) {
	st, err := r.readConsumer(ctx, s, inventory.KindService, s.Resource)
	if err != nil {
		return r.fail(s, err)
	}
	target := targetVPC(s)
	tag := r.tagOf(s)
	if onTarget(st.VPC, target) && st.Ready {
		rev := firstNonBlank(st.TaggedRevisions[tag], st.LatestReadyRevision)
		return r.alreadyDone(s, &PostImage{Etag: st.Etag, Revision: rev}, "revision "+rev+" on Direct VPC egress is deployed")
	}
	if err := r.checkEtag(s, st); err != nil {
		return r.fail(s, err)
	}
	recs := r.records()
	rev, inflight := chooseRevision(recs, s, st, revisionBase(s, st, tag))
	if inflight {
		// An interrupted attempt created the revision; it is not Ready.
		return r.fail(s, &verifyError{CheckRevisionReady, fmt.Sprintf("revision %s (deployed by an interrupted run) is not ready: %s", rev, st.Message)})
	}
	if !st.Ready {
		return r.fail(s, &preconditionError{CheckRevisionReady, fmt.Sprintf("%s: its latest revision %s is not ready (%s); fix that before migrating it", s.Resource, st.LatestCreatedRevision, st.Message)})
	}
	if st.VPC.Connector == "" && st.VPC.Interface == nil {
		return r.fail(s, &preconditionError{CheckEtagUnchanged, s.Resource + " has no VPC access now"})
	}
	if prev := s.Params.PreviousRevision; prev != "" && st.TrafficByRevision[prev] != 100 && !r.state().knownEtag(s.Resource, st.Etag) {
		return r.fail(s, &preconditionError{CheckTrafficOneRevision, fmt.Sprintf("%s no longer serves 100%% of %s's traffic", prev, s.Resource)})
	}
	var traffic []inventory.TrafficTarget
	if len(s.Params.Traffic) > 0 && (s.Params.PreviousRevision == "" || st.TrafficByRevision[s.Params.PreviousRevision] == 100) {
		traffic = renameRevision(s.Params.Traffic, s.Params.Revision, rev)
	} else {
		traffic = append(pinTraffic(st, tag), inventory.TrafficTarget{Type: "REVISION", Revision: rev, Percent: 0, Tag: tag})
	}
	if err := r.journal(Record{Type: RecordIntent, Step: s.ID, Action: s.Action, Resource: s.Resource, Pre: &PreImage{Consumer: st}, Post: &PostImage{Revision: rev}}); err != nil {
		return StatusFailed, "", err
	}
	r.emit(r.stepEvent(EventStepProgress, s, fmt.Sprintf("deploying %s with no traffic under tag %s", rev, tag)))
	var post *inventory.ConsumerState
	err = r.retry(ctx, s, "updating "+s.Resource, func() error {
		var err error
		post, err = r.e.Target.UpdateConsumerVPC(ctx, inventory.KindService, s.Resource, st.Etag, target, rev, traffic, false)
		return err
	})
	if err != nil {
		if errors.Is(err, inventory.ErrOperationFailed) {
			err = &verifyError{CheckRevisionReady, fmt.Sprintf("revision %s did not become ready: %v", rev, err)}
		}
		return r.failAfter(s, err, postOf(post))
	}
	switch {
	case !post.Ready:
		return r.failAfter(s, &verifyError{CheckRevisionReady, fmt.Sprintf("revision %s is not ready: %s", rev, post.Message)}, postOf(post))
	case !onTarget(post.VPC, target):
		return r.failAfter(s, &verifyError{CheckConsumerMoved, "the service's template is not on the target VPC access after the update"}, postOf(post))
	case post.TaggedRevisions[tag] != rev:
		return r.failAfter(s, &verifyError{CheckRevisionReady, fmt.Sprintf("tag %s does not name %s (%v)", tag, rev, post.TaggedRevisions)}, postOf(post))
	case servingTotal(post) != 100 || post.TrafficByRevision[rev] != 0:
		return r.failAfter(s, &verifyError{CheckTrafficAt, fmt.Sprintf("traffic after the deploy is %v", post.TrafficByRevision)}, postOf(post))
	}
	return r.succeed(s, &PostImage{Etag: post.Etag, Revision: rev}, fmt.Sprintf("revision %s ready, 0%% under tag %s", rev, tag))
}

// canaryRevision is the revision a shift-traffic step moves traffic to.
func (r *run) canaryRevision(s *Step, st *inventory.ConsumerState, target inventory.VPCConfig) string {
	recs := r.records()
	if d := r.deployStepOf(s); d != nil {
		js := stateOf(recs)
		if h := js.steps[d.ID]; h != nil && h.Status.done() && h.Post != nil && h.Post.Revision != "" {
			return h.Post.Revision
		}
	}
	if rev := st.TaggedRevisions[r.tagOf(s)]; rev != "" {
		return rev
	}
	if onTarget(st.VPC, target) {
		return st.LatestReadyRevision
	}
	return ""
}

// previousRevision is the revision that served before the migration.
func (r *run) previousRevision(s *Step) string {
	if s.Params.PreviousRevision != "" {
		return s.Params.PreviousRevision
	}
	if pre := firstConsumerPre(r.records(), s.Resource); pre != nil {
		return pre.LatestReadyRevision
	}
	return ""
}

// scaleTraffic gives the new revision p% and shrinks the others in
// proportion (the remainder going to the largest).
func scaleTraffic(orig []inventory.TrafficTarget, rev, tag string, p int) []inventory.TrafficTarget {
	var out []inventory.TrafficTarget
	left := 100 - p
	total := 0
	largest := -1
	for _, t := range orig {
		total += t.Percent
	}
	for _, t := range orig {
		if t.Percent > 0 && total > 0 {
			t.Percent = t.Percent * left / total
		}
		out = append(out, t)
	}
	sum := 0
	for i, t := range out {
		sum += t.Percent
		if orig[i].Percent > 0 && (largest < 0 || orig[i].Percent > orig[largest].Percent) {
			largest = i
		}
	}
	if largest >= 0 {
		out[largest].Percent += left - sum
	}
	return append(out, inventory.TrafficTarget{Type: "REVISION", Revision: rev, Percent: p, Tag: tag})
}

// shiftTraffic is the split of a shift-traffic step.
func (r *run) shiftTraffic(s *Step, rev, tag string, p int) []inventory.TrafficTarget {
	if len(s.Params.Traffic) > 0 {
		planned := s.Params.Revision
		if planned == "" {
			if d := r.deployStepOf(s); d != nil {
				planned = d.Params.Revision
			}
		}
		return renameRevision(s.Params.Traffic, planned, rev)
	}
	var orig []inventory.TrafficTarget
	if pre := firstConsumerPre(r.records(), s.Resource); pre != nil {
		orig = pinTraffic(pre, tag)
	}
	if p >= 100 {
		out := []inventory.TrafficTarget{{Type: "LATEST", Percent: 100}}
		for _, t := range orig {
			if t.Tag != "" && t.Tag != tag {
				t.Percent = 0
				out = append(out, t)
			}
		}
		return out
	}
	return scaleTraffic(orig, rev, tag, p)
}

// doShiftTraffic moves p% of a service's traffic to the new revision, then
// soaks and checks its health.
func (r *run) doShiftTraffic(ctx context.Context, s *Step) (StepStatus, string, error) {
	st, err := r.readConsumer(ctx, s, inventory.KindService, s.Resource)
	if err != nil {
		return r.fail(s, err)
	}
	target := targetVPC(s)
	if d := r.deployStepOf(s); d != nil && s.Params.Network == "" && s.Params.Subnetwork == "" {
		target = targetVPC(d)
	}
	tag := r.tagOf(s)
	p := s.Params.Percent
	if p <= 0 || p > 100 {
		return r.fail(s, fmt.Errorf("shift-traffic needs a percentage from 1 to 100, not %d", p))
	}
	rev := r.canaryRevision(s, st, target)
	if rev == "" || !onTarget(st.VPC, target) {
		return r.fail(s, &preconditionError{CheckRevisionReady, "the new revision is not deployed (its deploy-revision step has not succeeded)"})
	}
	cur := st.TrafficByRevision[rev]
	if cur >= p && r.hist.status(s.ID).done() {
		return StatusAlreadyDone, fmt.Sprintf("%s serves %d%%", rev, cur), nil
	}
	if err := r.checkEtag(s, st); err != nil {
		return r.fail(s, err)
	}
	if cur < p {
		traffic := r.shiftTraffic(s, rev, tag, p)
		if err := r.journal(Record{Type: RecordIntent, Step: s.ID, Action: s.Action, Resource: s.Resource, Pre: &PreImage{Consumer: st}, Post: &PostImage{Revision: rev, Percent: p}}); err != nil {
			return StatusFailed, "", err
		}
		var post *inventory.ConsumerState
		err = r.retry(ctx, s, "setting the traffic of "+s.Resource, func() error {
			var err error
			post, err = r.e.Target.SetTraffic(ctx, s.Resource, st.Etag, traffic)
			return err
		})
		if err != nil {
			return r.failAfter(s, err, postOf(post))
		}
		if post.TrafficByRevision[rev] != p || servingTotal(post) != 100 {
			return r.failAfter(s, &verifyError{CheckTrafficAt, fmt.Sprintf("%s serves %d%%, not %d%% (%v)", rev, post.TrafficByRevision[rev], p, post.TrafficByRevision)}, postOf(post))
		}
		st = post
	} else if h := r.hist.steps[s.ID]; h == nil || !h.Touched {
		// The traffic is there but no run of this plan recorded setting it.
		if err := r.journal(Record{Type: RecordIntent, Step: s.ID, Action: s.Action, Resource: s.Resource, Pre: &PreImage{Consumer: st}, Post: &PostImage{Revision: rev, Percent: p}}); err != nil {
			return StatusFailed, "", err
		}
	}
	if p < 100 || hasCheck(s.Verify, CheckRevisionHealthy) {
		if err := r.canaryHealth(ctx, s, rev, r.previousRevision(s), p); err != nil {
			return r.failAfter(s, err, postOf(st))
		}
	}
	return r.succeed(s, &PostImage{Etag: st.Etag, Revision: rev, Percent: p}, fmt.Sprintf("%s serves %d%%", rev, p))
}

func hasCheck(cs []Check, k CheckKind) bool {
	for _, c := range cs {
		if c.Kind == k {
			return true
		}
	}
	return false
}

// canaryHealth soaks, then compares the new revision's 5xx ratio over the
// soak window with the previous revision's. No data is inconclusive: a
// person is asked; nobody to ask means stop, unless AcceptNoMetrics.
func (r *run) canaryHealth(ctx context.Context, s *Step, rev, prev string, p int) error {
	soak := r.e.canarySoak(r.plan, s)
	if soak > 0 {
		r.emit(r.stepEvent(EventStepProgress, s, fmt.Sprintf("watching %s at %d%% for %s", rev, p, soak)))
		if err := r.e.Sleep(ctx, soak); err != nil {
			return err
		}
	}
	window := soak
	if window < time.Minute {
		window = time.Minute
	}
	now := r.e.Now()
	health := func(revision string) (inventory.RevisionHealth, error) {
		var h inventory.RevisionHealth
		err := r.retry(ctx, s, "reading the health of "+revision, func() error {
			var err error
			h, err = r.e.Target.RevisionHealth(ctx, s.Resource, revision, window, now)
			return err
		})
		return h, err
	}
	hn, err := health(rev)
	why := ""
	if err != nil {
		why = fmt.Sprintf("Cloud Monitoring could not be read (%v)", err)
	} else if !hn.Known || hn.Requests == 0 {
		why = fmt.Sprintf("Cloud Monitoring has no request data for %s over the last %s", rev, window)
	}
	if why == "" {
		var hp inventory.RevisionHealth
		if prev != "" && prev != rev {
			hp, _ = health(prev)
		}
		rn := float64(hn.Errors5xx) / float64(hn.Requests)
		rp := 0.0
		if hp.Known && hp.Requests > 0 {
			rp = float64(hp.Errors5xx) / float64(hp.Requests)
		}
		thr := r.e.threshold()
		if rn > rp+thr {
			return &verifyError{CheckRevisionHealthy, fmt.Sprintf("revision %s answered %d of %d requests with 5xx (%.2f%%) over %s at %d%% of the traffic; %s: %.2f%%; allowed: +%.2f points",
				rev, hn.Errors5xx, hn.Requests, rn*100, window, p, firstNonBlank(prev, "the previous revision"), rp*100, thr*100)}
		}
		r.emit(r.stepEvent(EventStepProgress, s, fmt.Sprintf("healthy: %s 5xx %.2f%% of %d requests, %s %.2f%%", rev, rn*100, hn.Requests, firstNonBlank(prev, "previous"), rp*100)))
		return nil
	}
	if r.e.Confirm != nil {
		ok, err := r.confirm(ctx, Prompt{Kind: PromptInconclusive, Stage: r.stageOf[s.ID], Step: s.ID,
			Question: fmt.Sprintf("Go on with %s at %d%% of %s's traffic without health data?", rev, p, segLast(s.Resource)),
			Details:  []string{why, "check the service's logs and its tag URL before answering"}})
		if err != nil {
			return err
		}
		if ok {
			r.note(s.ID + ": " + why + "; a person chose to go on")
			return nil
		}
		return &decisionError{why + "; stopped at your request"}
	}
	if r.e.AcceptNoMetrics {
		r.emit(r.stepEvent(EventWarning, s, why+"; going on (--accept-no-metrics)"))
		return nil
	}
	return &decisionError{why + ": stopped rather than guess"}
}

// trafficDistribution maps revisions to the share they serve (no zeros).
func trafficDistribution(ts []inventory.TrafficTarget) map[string]int {
	out := map[string]int{}
	for _, t := range ts {
		if t.Percent > 0 {
			out[t.Revision] += t.Percent
		}
	}
	return out
}

func sameDistribution(a, b map[string]int) bool {
	n := 0
	for k, v := range a {
		if v == 0 {
			continue
		}
		n++
		if b[k] != v {
			return false
		}
	}
	m := 0
	for _, v := range b {
		if v != 0 {
			m++
		}
	}
	return n == m
}

func trafficKey(t inventory.TrafficTarget) string {
	typ := t.Type
	if typ == "" {
		typ = "REVISION"
		if t.Revision == "" {
			typ = "LATEST"
		}
	}
	rev := t.Revision
	if typ == "LATEST" {
		rev = ""
	}
	return fmt.Sprintf("%s|%s|%d|%s", typ, rev, t.Percent, t.Tag)
}

// sameTrafficSpec compares two traffic specifications, order aside.
func sameTrafficSpec(a, b []inventory.TrafficTarget) bool {
	if len(a) == 0 {
		a = []inventory.TrafficTarget{{Type: "LATEST", Percent: 100}}
	}
	if len(b) == 0 {
		b = []inventory.TrafficTarget{{Type: "LATEST", Percent: 100}}
	}
	if len(a) != len(b) {
		return false
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i] = trafficKey(a[i])
	}
	for i := range b {
		kb[i] = trafficKey(b[i])
	}
	sort.Strings(ka)
	sort.Strings(kb)
	for i := range ka {
		if ka[i] != kb[i] {
			return false
		}
	}
	return true
}

// describeTraffic writes a split for people: "api-00014 90%, api-00015 10% (tag vpcshift)".
func describeTraffic(ts []inventory.TrafficTarget) string {
	var parts []string
	for _, t := range ts {
		name := t.Revision
		if t.Type == "LATEST" || name == "" {
			name = "LATEST"
		}
		s := fmt.Sprintf("%s %d%%", name, t.Percent)
		if t.Tag != "" {
			s += " (tag " + t.Tag + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
