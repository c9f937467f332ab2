package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/berthhq/berth/internal/auth"
	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/view"
)

// Entry is one record for the audit trail: every change, every secret
// retrieval, every sign-in. Who, from where, when, the region and the
// request id are filled in from the request.
type Entry struct {
	// Action is "<kind>.<verb>": repository.create, secret.update,
	// secret.delete, task-definition.register, user.set-role, sign-in, …
	Action string
	// Resource is the ARN, or the name when there is no ARN.
	Resource string
	// Err is the failure, nil on success. Its AWS error code and message
	// become the outcome's detail.
	Err error
	// Outcome overrides the outcome (store.OutcomeDenied); empty means
	// success or failure from Err.
	Outcome string
	// Detail is a short note shown with the entry.
	Detail string
	// AWSRequestID defaults to the request id of the latest AWS call this
	// HTTP request made (or the one in Err).
	AWSRequestID string
	// Before and After are the resource's settings before and after the
	// change (structs or maps; nil for create and delete). Only the fields
	// that differ are recorded, and never a secret value: fields named like
	// one (SecretString, SecretBinary, Password, …) are recorded as
	// changed without their values, and a Before/After that is not an
	// object is not recorded at all.
	Before, After any
	// Actor names the person when nobody is signed in yet (failed sign-ins).
	Actor string
}

// audit appends an entry. A failure to record is logged loudly but does not
// undo or fail the change, which has already happened in AWS.
func (s *Server) audit(r *http.Request, e Entry) {
	entry := store.AuditEntry{
		At: s.auth.Now(), Action: e.Action, Resource: e.Resource, Outcome: e.Outcome, Detail: e.Detail,
		AWSRequestID: e.AWSRequestID, Address: s.clientAddr(r), RequestID: middleware.GetReqID(r.Context()),
		Region: s.region(r), Actor: e.Actor,
	}
	if u := s.user(r); u != nil {
		entry.Actor, entry.ActorRole = u.Username, u.Role
	}
	if e.Err != nil {
		if entry.Outcome == "" {
			entry.Outcome = store.OutcomeFailure
		}
		msg := cloud.ErrorMessage(e.Err)
		if code := cloud.ErrorCode(e.Err); code != "" {
			msg = code + ": " + msg
		}
		if entry.Detail != "" {
			msg = entry.Detail + " — " + msg
		}
		entry.Detail = msg
		if entry.AWSRequestID == "" {
			entry.AWSRequestID = cloud.RequestID(e.Err)
		}
	}
	if entry.Outcome == "" {
		entry.Outcome = store.OutcomeSuccess
	}
	if entry.AWSRequestID == "" {
		entry.AWSRequestID = cloud.LastRequestID(r.Context())
	}
	entry.Changes = diffSettings(e.Before, e.After)
	entry.Detail = truncate(entry.Detail, 2000)
	if _, err := s.store.AppendAudit(r.Context(), entry); err != nil {
		s.log.Error("AUDIT ENTRY NOT RECORDED", "err", err, "action", entry.Action, "resource", entry.Resource, "actor", entry.Actor, "outcome", entry.Outcome)
	}
}

// auditSecretValue records one retrieval of a secret's value (never the
// value): call it from the handler that shows or copies a value, whether
// the retrieval worked or not.
func (s *Server) auditSecretValue(r *http.Request, secretARN, versionID string, err error) {
	detail := ""
	if versionID != "" {
		detail = "version " + versionID
	}
	s.audit(r, Entry{Action: "secret.get-value", Resource: secretARN, Err: err, Detail: detail})
}

// sensitiveField recognizes field names that hold secret material. The
// last path element is compared, lowercased and without separators.
func sensitiveField(path string) bool {
	name := path
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(name))
	if name == "value" && strings.Contains(strings.ToLower(path), "tag") {
		return false // a tag's value is a label, not a secret
	}
	for _, s := range []string{"secretstring", "secretbinary", "secretvalue", "password", "plaintext", "privatekey", "secretaccesskey", "sessiontoken", "credential", "value"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// notRecorded stands in for a value the audit trail must not hold.
const notRecorded = `"(changed; value not recorded)"`

// diffSettings flattens both sides to dotted paths and returns the paths
// whose values differ, with secret-looking fields' values withheld (any
// field whose name contains "value" except under tags, erring on the side
// of never recording a secret).
func diffSettings(before, after any) []store.Change {
	b, okB := flatten(before)
	a, okA := flatten(after)
	if !okB || !okA {
		return []store.Change{{Field: "(settings)", Before: notRecorded, After: notRecorded}}
	}
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []store.Change
	for k := range keys {
		if b[k] == a[k] {
			continue
		}
		c := store.Change{Field: k, Before: b[k], After: a[k]}
		if sensitiveField(k) {
			c.Before, c.After = "", ""
			if b[k] != "" {
				c.Before = notRecorded
			}
			if a[k] != "" {
				c.After = notRecorded
			}
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// flatten turns settings into path → JSON value. nil is an empty object;
// anything that is not an object is refused (ok false), so a bare secret
// string can never end up in the trail.
func flatten(v any) (map[string]string, bool) {
	out := map[string]string{}
	if v == nil {
		return out, true
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, false
	}
	if tree == nil {
		return out, true
	}
	if _, ok := tree.(map[string]any); !ok {
		return nil, false
	}
	var walk func(prefix string, x any)
	walk = func(prefix string, x any) {
		switch t := x.(type) {
		case map[string]any:
			for k, v := range t {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, v)
			}
		case []any:
			for i, v := range t {
				walk(prefix+"."+strconv.Itoa(i), v)
			}
		default:
			b, _ := json.Marshal(t)
			out[prefix] = string(b)
		}
	}
	walk("", tree)
	return out, true
}

// history is a resource's recent audit entries, newest first, for its page.
// resource is the exact ARN (or name) the area's handlers record.
func (s *Server) history(r *http.Request, resource string) []view.AuditRow {
	es, _, err := s.store.ListAudit(r.Context(), store.AuditFilter{ResourceIs: resource, Limit: 10})
	if err != nil {
		s.log.Error("resource history", "err", err, "resource", resource)
		return nil
	}
	return auditRows(es)
}

// historyOfPrefix is the recent history of every resource whose name
// starts with prefix, plus the exact resource also (a task definition
// family: its revisions' ARNs and the family name that failed registrations
// record), newest first.
func (s *Server) historyOfPrefix(r *http.Request, prefix, also string) []view.AuditRow {
	es, _, err := s.store.ListAudit(r.Context(), store.AuditFilter{ResourcePrefix: prefix, Limit: 10})
	if err != nil {
		s.log.Error("resource history", "err", err, "prefix", prefix)
		return nil
	}
	if also != "" {
		more, _, err := s.store.ListAudit(r.Context(), store.AuditFilter{ResourceIs: also, Limit: 10})
		if err != nil {
			s.log.Error("resource history", "err", err, "resource", also)
		}
		es = append(es, more...)
		sort.Slice(es, func(i, j int) bool { return es[i].ID > es[j].ID })
		es = es[:min(len(es), 10)]
	}
	return auditRows(es)
}

func auditRows(es []store.AuditEntry) []view.AuditRow {
	rows := make([]view.AuditRow, 0, len(es))
	for _, e := range es {
		row := view.AuditRow{ID: e.ID, At: e.At, Actor: e.Actor, ActorRole: e.ActorRole, Address: e.Address, Action: e.Action,
			Resource: e.Resource, Outcome: e.Outcome, Detail: e.Detail, AWSRequestID: e.AWSRequestID, Region: e.Region}
		for _, c := range e.Changes {
			row.Changes = append(row.Changes, view.AuditChange{Field: c.Field, Before: c.Before, After: c.After})
		}
		rows = append(rows, row)
	}
	return rows
}

// knownActions are offered by the audit filter's action box.
var knownActions = []string{
	"sign-in", "sign-out", "sign-out-everywhere", "setup", "access.denied",
	"user.", "user.create", "user.set-role", "user.disable", "user.enable", "user.reset-password", "user.change-password", "user.sign-out-everywhere",
	"settings.update",
	"repository.", "image.delete", "secret.", "secret.get-value", "task-definition.", "iam.create-role", "logs.create-log-group",
}

// auditFilter reads the filter from the query. People who are not admins
// always get their own entries only.
func (s *Server) auditFilter(r *http.Request) (store.AuditFilter, view.AuditFilter, form.Errors, bool) {
	q := r.URL.Query()
	vf := view.AuditFilter{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Resource: strings.TrimSpace(q.Get("resource")), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	f := store.AuditFilter{Actor: auth.NormalizeUsername(vf.Actor), Action: vf.Action, Resource: vf.Resource}
	var errs form.Errors
	if vf.From != "" {
		t, err := time.Parse("2006-01-02", vf.From)
		if err != nil {
			errs.Add("from", "Enter the start date as YYYY-MM-DD.")
		}
		f.From = t
	}
	if vf.To != "" {
		t, err := time.Parse("2006-01-02", vf.To)
		if err != nil {
			errs.Add("to", "Enter the end date as YYYY-MM-DD.")
		}
		f.To = t.Add(24 * time.Hour)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		errs.Add("to", "The end date is before the start date.")
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.Before = b
	}
	ownOnly := false
	if u := s.user(r); u == nil || !auth.Role(u.Role).AtLeast(auth.Admin) {
		ownOnly = true
		if u != nil {
			f.Actor = u.Username
		}
		vf.Actor = ""
	}
	return f, vf, errs, ownOnly
}

func filterQuery(vf view.AuditFilter) url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"actor": vf.Actor, "action": vf.Action, "resource": vf.Resource, "from": vf.From, "to": vf.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	f, vf, errs, ownOnly := s.auditFilter(r)
	m := view.AuditPage{Page: s.page(w, r, "Audit trail", view.SectionAudit), Filter: vf, OwnOnly: ownOnly, Errors: errs, Actions: knownActions}
	if q := filterQuery(vf).Encode(); q != "" {
		m.Export = "?" + q
	}
	if errs.Any() {
		s.render(w, r, http.StatusUnprocessableEntity, view.Audit(m))
		return nil
	}
	f.Limit = 50
	es, next, err := s.store.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	m.Rows = auditRows(es)
	if next > 0 {
		q := filterQuery(vf)
		q.Set("before", strconv.FormatInt(next, 10))
		m.Next = "/audit?" + q.Encode()
	}
	s.render(w, r, http.StatusOK, view.Audit(m))
	return nil
}

// csvCells makes cells safe to open in a spreadsheet: a cell that starts
// like a formula (=, +, -, @, tab, CR) gets a leading apostrophe, so that a
// username typed as "=HYPERLINK(…)" at the sign-in page stays text.
func csvCells(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

// maxExport bounds one export; narrow the filter for more.
const maxExport = 100000

// auditExport streams the filtered entries as CSV or JSON, reading the
// store a page at a time so memory stays flat.
func (s *Server) auditExport(format string) appHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, _, errs, _ := s.auditFilter(r)
		if errs.Any() {
			return badRequest(errs.All()[0].Message)
		}
		f.Limit = 1000
		name := "berth-audit-" + s.auth.Now().UTC().Format("20060102-150405")
		var cw *csv.Writer
		var enc *json.Encoder
		first := true
		switch format {
		case "csv":
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			cw = csv.NewWriter(w)
			cw.Write([]string{"id", "time", "actor", "actor_role", "address", "action", "resource", "outcome", "detail", "aws_request_id", "request_id", "region", "changes"})
		case "json":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
			w.Write([]byte("[\n"))
			enc = json.NewEncoder(w)
		default:
			return notFound("No such export format.")
		}
		written := 0
		for written < maxExport {
			es, next, err := s.store.ListAudit(r.Context(), f)
			if err != nil {
				if written == 0 && first {
					return err
				}
				s.log.Error("audit export cut short", "err", err)
				break
			}
			for _, e := range es {
				if cw != nil {
					changes := ""
					if len(e.Changes) > 0 {
						b, _ := json.Marshal(e.Changes)
						changes = string(b)
					}
					cw.Write(csvCells(strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339), e.Actor, e.ActorRole, e.Address, e.Action,
						e.Resource, e.Outcome, e.Detail, e.AWSRequestID, e.RequestID, e.Region, changes))
				} else {
					if !first {
						w.Write([]byte(","))
					}
					enc.Encode(e)
				}
				first = false
				written++
			}
			if next == 0 {
				break
			}
			f.Before = next
		}
		if cw != nil {
			cw.Flush()
			return cw.Error()
		}
		_, err := w.Write([]byte("]\n"))
		return err
	}
}
