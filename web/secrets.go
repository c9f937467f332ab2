package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/view"
)

// Secrets Manager pages: the list, a secret's overview, retrieving its
// value, new values, edits, deletion and restore. The wizard that stores a
// new secret is in secrets_wizard.go.

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("Mon, 2 Jan 2006")
}

// lastRetrieved shows AWS's last-accessed day (AWS keeps only the date).
func lastRetrieved(t time.Time) string {
	if t.IsZero() {
		return "Never"
	}
	return t.UTC().Format("2 Jan 2006")
}

// secretName is the {name} of the path: one escaped segment, so it may hold
// slashes ("production%2FRegistryCredentials").
func secretName(r *http.Request) (string, error) {
	name, err := url.PathUnescape(chi.URLParam(r, "name"))
	if err != nil || !awsrules.ValidSecretName(name) {
		return "", notFound("That is not a secret name.")
	}
	return name, nil
}

// scopedSecretName is secretName for the pages and actions of one secret:
// a name outside the person's scope is a 404, as if it did not exist.
func (s *Server) scopedSecretName(r *http.Request) (string, error) {
	name, err := secretName(r)
	if err != nil {
		return "", err
	}
	if err := s.inScope(r, kindSecret, name, "There is no secret named "+name+" in "+s.region(r)+"."); err != nil {
		return "", err
	}
	return name, nil
}

// secretSettings is what the audit trail records of a secret: its
// settings, never its value.
type secretSettings struct {
	Description string            `json:"description,omitempty"`
	KMSKey      string            `json:"kmsKey,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

func secretSettingsOf(d cloud.SecretDetail) secretSettings {
	return secretSettings{Description: d.Description, KMSKey: d.KMSKeyID, Tags: secretTagMap(d.Tags)}
}

func secretTagMap(tags []cloud.SecretTag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func secretCrumbs(name string) []view.Crumb {
	return []view.Crumb{{Label: "Secrets", Href: "/secrets"}, {Label: name, Href: view.SecretURL(name, "")}}
}

func tagRows(tags []cloud.SecretTag) []form.KeyValue {
	out := make([]form.KeyValue, 0, len(tags))
	for _, t := range tags {
		out = append(out, form.KeyValue{Key: t.Key, Value: t.Value})
	}
	return out
}

// listPageFirst stands for the first page in the list's "prev" stack.
const listPageFirst = "-"

func (s *Server) secretList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := form.DecodeSecretListFilter(q)
	token := q.Get("page")
	prev := q["prev"]
	m := view.SecretListPage{
		Page:   s.page(w, r, "Secrets", view.SectionSecrets, view.Crumb{Label: "Secrets"}),
		Filter: f, Errors: f.Validate(), PageNumber: len(prev) + 1,
	}
	if m.Errors.Any() {
		s.render(w, r, http.StatusUnprocessableEntity, view.SecretList(m))
		return nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	nameFilter := f.Name
	if scope := s.scopeOf(r, kindSecret); scope != "" && strings.HasPrefix(scope, nameFilter) {
		// A scoped person's list asks AWS for their scope only, so its
		// pages are full; the rows are checked against the scope as well.
		nameFilter = scope
	}
	p, err := s.clients(r).ListSecrets(ctx, cloud.SecretFilter{
		Name: nameFilter, Description: f.Description, TagKey: f.TagKey, TagValue: f.TagValue,
		IncludePlannedDeletion: f.Deleted,
	}, token, cloud.SecretListPageSize)
	if err != nil {
		var status int
		m.Problem, status = pageProblem(err, token)
		s.render(w, r, status, view.SecretList(m))
		return nil
	}
	for _, sec := range p.Secrets {
		if !s.allowedFor(r, kindSecret, sec.Name) {
			continue
		}
		row := view.SecretRow{
			Name: sec.Name, Description: sec.Description,
			LastChanged: fmtTime(sec.LastChanged), LastRetrieved: lastRetrieved(sec.LastRetrieved),
			Rotation: "Disabled", Tags: tagRows(sec.Tags),
		}
		if sec.RotationEnabled {
			row.Rotation = "Enabled"
		}
		if !sec.Deletion.IsZero() {
			row.Deletion = fmtDate(sec.Deletion)
		}
		m.Rows = append(m.Rows, row)
	}
	// AWS pages only forward; Previous walks back a stack of the tokens
	// that led here, carried in the link itself.
	base := f.Query()
	if p.Next != "" {
		nq := cloneValues(base)
		here := token
		if here == "" {
			here = listPageFirst
		}
		nq["prev"] = append(append([]string{}, prev...), here)
		nq.Set("page", p.Next)
		m.NextURL = "/secrets?" + nq.Encode()
	}
	if len(prev) > 0 {
		pq := cloneValues(base)
		back := prev[len(prev)-1]
		if len(prev) > 1 {
			pq["prev"] = append([]string{}, prev[:len(prev)-1]...)
		}
		if back != listPageFirst {
			pq.Set("page", back)
		}
		m.PrevURL = "/secrets"
		if len(pq) > 0 {
			m.PrevURL += "?" + pq.Encode()
		}
	}
	s.render(w, r, http.StatusOK, view.SecretList(m))
	return nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string{}, vs...)
	}
	return out
}

// secretFromPath describes the secret a page's path names, within the
// person's scope.
func (s *Server) secretFromPath(r *http.Request) (cloud.SecretDetail, error) {
	name, err := s.scopedSecretName(r)
	if err != nil {
		return cloud.SecretDetail{}, err
	}
	return s.describeSecret(r, name)
}

// describeSecret reads a secret for its pages: a missing one is a 404.
func (s *Server) describeSecret(r *http.Request, name string) (cloud.SecretDetail, error) {
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	d, err := s.clients(r).DescribeSecret(ctx, name)
	switch {
	case errors.Is(err, cloud.ErrSecretNotFound):
		return d, notFound("There is no secret named " + name + " in " + s.region(r) + ".")
	case err != nil:
		return d, awsFailure("Berth could not read the secret "+name, err)
	}
	return d, nil
}

// secretForChange describes a secret before a change, for the audit
// trail's ARN and settings. A missing secret is the 404 page; when AWS
// cannot be asked, the change goes ahead by name (and fails at AWS the same
// way), recorded under the name.
func (s *Server) secretForChange(r *http.Request, name string) (cloud.SecretDetail, error) {
	d, err := s.describeSecret(r, name)
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusNotFound {
		return d, err
	}
	if err != nil || d.ARN == "" {
		return cloud.SecretDetail{SecretSummary: cloud.SecretSummary{Name: name, ARN: name}}, nil
	}
	return d, nil
}

func kmsLabel(id string) string {
	if id == "" {
		return "aws/secretsmanager"
	}
	return id
}

func (s *Server) secretDetail(w http.ResponseWriter, r *http.Request) error {
	d, err := s.secretFromPath(r)
	if err != nil {
		return err
	}
	m := view.SecretDetailPage{
		Page: s.page(w, r, d.Name, view.SectionSecrets, secretCrumbs(d.Name)...),
		Name: d.Name, ARN: d.ARN, Description: d.Description, KMSKey: kmsLabel(d.KMSKeyID),
		Created: fmtTime(d.Created), LastChanged: fmtTime(d.LastChanged), LastRetrieved: lastRetrieved(d.LastRetrieved),
		Tags: tagRows(d.Tags), MoreVersions: d.MoreVersions,
		ValueFrom:             d.ARN,
		RepositoryCredentials: repositoryCredentialsSnippet(d.ARN),
		History:               s.history(r, d.ARN),
	}
	m.UsedBy = s.usage(r, func(ctx context.Context) ([]cloud.TaskDefUse, bool, error) {
		return s.clients(r).TaskDefsUsingSecret(ctx, d.ARN)
	})
	if !d.Deletion.IsZero() {
		m.Deletion = fmtDate(d.Deletion)
	}
	for _, v := range d.Versions {
		m.Versions = append(m.Versions, view.SecretVersionRow{ID: v.ID, Stages: v.Stages, Created: fmtTime(v.Created), LastRetrieved: lastRetrieved(v.LastRetrieved)})
	}
	rot := d.Rotation
	m.Rotation = view.SecretRotationView{Enabled: rot.Enabled, Window: rot.Window, Function: rot.LambdaARN}
	switch {
	case rot.Schedule != "":
		m.Rotation.Schedule = rot.Schedule
	case rot.AfterDays > 0:
		m.Rotation.Schedule = "Every " + strconv.FormatInt(rot.AfterDays, 10) + " days"
	}
	if !rot.LastRotated.IsZero() {
		m.Rotation.Last = fmtTime(rot.LastRotated)
	}
	if !rot.NextRotation.IsZero() {
		m.Rotation.Next = fmtTime(rot.NextRotation)
	}
	if key := strings.TrimSpace(r.URL.Query().Get("key")); key != "" {
		m.JSONKey = key
		if strings.Contains(key, ":") {
			m.JSONKeyErrors = []string{"ECS cannot read a JSON key that contains a colon: valueFrom separates its parts with colons"}
		} else {
			m.KeyValueFrom = d.ARN + ":" + key + "::"
		}
	}
	status := http.StatusOK
	if len(m.JSONKeyErrors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, view.SecretDetail(m))
	return nil
}

// who is the signed-in person acting, for the log.
func (s *Server) who(r *http.Request) string {
	if u := s.user(r); u != nil {
		return u.Username
	}
	return "anonymous"
}

// secretReveal answers "Retrieve secret value". It is a POST so no link,
// prefetch or history entry retrieves a value, its answer is never cached,
// and every retrieval is logged: who, when, which secret and version —
// never the value.
func (s *Server) secretReveal(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	name, err := s.scopedSecretName(r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	c := s.clients(r)
	v, err := c.GetSecretValue(ctx, name)
	outcome := "ok"
	if err != nil {
		outcome = cloud.ErrorCode(err)
		if outcome == "" {
			outcome = "error"
		}
	}
	s.log.Info("secret value retrieved", "who", s.who(r), "secret", name, "arn", v.ARN, "version", v.VersionID,
		"region", c.Region, "outcome", outcome)
	resource := v.ARN
	if resource == "" {
		resource = name
	}
	s.auditSecretValue(r, resource, v.VersionID, err)
	m := view.SecretRevealPage{Page: s.page(w, r, name, view.SectionSecrets, append(secretCrumbs(name), view.Crumb{Label: "Secret value"})...), Name: name}
	switch {
	case errors.Is(err, cloud.ErrSecretNotFound):
		return notFound("There is no secret named " + name + " in " + s.region(r) + ".")
	case errors.Is(err, cloud.ErrSecretScheduledForDeletion):
		m.Deletion = "its scheduled date"
		if d, derr := c.DescribeSecret(ctx, name); derr == nil && !d.Deletion.IsZero() {
			m.Deletion = fmtDate(d.Deletion)
		}
		s.render(w, r, http.StatusConflict, view.SecretReveal(m))
		return nil
	case err != nil:
		m.Problem = cloud.ErrorMessage(err)
		s.render(w, r, http.StatusBadGateway, view.SecretReveal(m))
		return nil
	}
	m.ARN, m.VersionID, m.Stages = v.ARN, v.VersionID, v.Stages
	if v.Binary != nil {
		m.Binary = true
		m.Plaintext = base64.StdEncoding.EncodeToString(v.Binary)
	} else {
		m.Plaintext = v.String
		if rows, err := form.ParseSecretRowsJSON(v.String); err == nil {
			m.Rows = rows
			for _, row := range rows {
				if !strings.Contains(row.Key, ":") {
					m.Refs = append(m.Refs, view.SecretKeyRef{Key: row.Key, ValueFrom: v.ARN + ":" + row.Key + "::"})
				}
			}
		}
	}
	s.render(w, r, http.StatusOK, view.SecretReveal(m))
	return nil
}

// newToken is a fresh ClientRequestToken for a form that creates a version.
func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) secretValueForm(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	d, err := s.secretFromPath(r)
	if err != nil {
		return err
	}
	m := view.SecretNewValuePage{
		Page: s.page(w, r, "New value for "+d.Name, view.SectionSecrets, append(secretCrumbs(d.Name), view.Crumb{Label: "New value"})...),
		Name: d.Name, Value: form.NewSecretValue(form.SecretPresetOther), Token: newToken(),
	}
	s.render(w, r, http.StatusOK, view.SecretNewValue(m))
	return nil
}

func (s *Server) secretValuePost(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	name, err := s.scopedSecretName(r)
	if err != nil {
		return err
	}
	f := form.DecodeSecretValue(r.PostForm)
	token := r.PostFormValue("token")
	if !form.ValidSecretToken(token) {
		token = newToken()
	}
	m := view.SecretNewValuePage{
		Page: s.page(w, r, "New value for "+name, view.SectionSecrets, append(secretCrumbs(name), view.Crumb{Label: "New value"})...),
		Name: name, Token: token,
	}
	c := s.clients(r)
	errs, handled := s.secretValueAction(r.Context(), c, &f, r.PostFormValue("action"))
	if !handled {
		errs = f.ValidateValue()
		if !errs.Any() {
			ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
			defer cancel()
			arn, version, err := c.PutSecretValue(ctx, name, f.Secret(), token)
			detail := ""
			if version != "" {
				detail = "version " + version
			}
			// The value itself is never passed to the audit trail; a refused
			// call is recorded under the name (AWS answers the ARN only on success).
			s.audit(r, Entry{Action: "secret.put-value", Resource: cmp.Or(arn, name), Err: err, Detail: detail})
			if err == nil {
				s.redirectWithFlash(w, r, view.SecretURL(name, ""), "New value stored for "+name+". It is now AWSCURRENT; the value before it is AWSPREVIOUS.")
				return nil
			}
			switch {
			case errors.Is(err, cloud.ErrSecretNotFound):
				return notFound("There is no secret named " + name + " in " + s.region(r) + ".")
			case errors.Is(err, cloud.ErrSecretExists):
				// This form's token already made a version with another value.
				m.Token = newToken()
				errs.Add("", "This form already stored a different value. Check the value and choose Store new value again to store this one as well.")
			case errors.Is(err, cloud.ErrSecretScheduledForDeletion):
				errs.Add("", "The secret is scheduled for deletion, so it takes no new value. Cancel the deletion first.")
			case errors.Is(err, cloud.ErrSecretKMSKey):
				errs.Add("", "The secret's encryption key refused the new value: "+cloud.ErrorMessage(err))
			default:
				errs.Add("", "Secrets Manager did not store the value: "+cloud.ErrorMessage(err)+". Nothing was lost: try again.")
			}
		}
	}
	m.Value, m.Errors = f, errs
	status := formStatus(errs)
	s.render(w, r, status, view.SecretNewValue(m))
	return nil
}

func (s *Server) secretEditForm(w http.ResponseWriter, r *http.Request) error {
	d, err := s.secretFromPath(r)
	if err != nil {
		return err
	}
	f := form.SecretEdit{Description: d.Description, KMSKey: d.KMSKeyID, Tags: tagRows(d.Tags)}
	return s.renderSecretEdit(w, r, d.Name, f, form.Errors{})
}

func (s *Server) renderSecretEdit(w http.ResponseWriter, r *http.Request, name string, f form.SecretEdit, errs form.Errors) error {
	m := view.SecretEditPage{
		Page: s.page(w, r, "Edit "+name, view.SectionSecrets, append(secretCrumbs(name), view.Crumb{Label: "Edit"})...),
		Name: name, Errors: errs,
	}
	if f.KMSKey == "alias/aws/secretsmanager" {
		f.KMSKey = ""
	}
	m.KMSOptions, m.KMSProblem = s.secretKMSOptions(r, &f.KMSKey, &f.KMSKeyCustom)
	m.Form = f
	status := formStatus(errs)
	s.render(w, r, status, view.SecretEdit(m))
	return nil
}

func (s *Server) secretEditPost(w http.ResponseWriter, r *http.Request) error {
	name, err := s.scopedSecretName(r)
	if err != nil {
		return err
	}
	f := form.DecodeSecretEdit(r.PostForm)
	if f.KMSKey == "" && f.KMSKeyCustom != "" {
		f.KMSKey = form.SecretKMSCustom
	}
	switch action := r.PostFormValue("action"); {
	case action == "add-tag":
		f.Tags = append(f.Tags, form.KeyValue{})
		return s.renderSecretEdit(w, r, name, f, form.Errors{})
	case strings.HasPrefix(action, "remove-tag:"):
		if i, err := strconv.Atoi(strings.TrimPrefix(action, "remove-tag:")); err == nil && i >= 0 && i < len(f.Tags) {
			f.Tags = append(f.Tags[:i], f.Tags[i+1:]...)
		}
		return s.renderSecretEdit(w, r, name, f, form.Errors{})
	}
	if errs := f.Validate(); errs.Any() {
		return s.renderSecretEdit(w, r, name, f, errs)
	}
	d, err := s.secretForChange(r, name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	c := s.clients(r)
	var u cloud.SecretUpdate
	if f.Description != d.Description {
		u.Description = &f.Description
	}
	if k := f.KMSKeyID(); k != d.KMSKeyID && !(k == "" && d.KMSKeyID == "alias/aws/secretsmanager") {
		u.KMSKeyID = &k
	}
	var errs form.Errors
	err = c.UpdateSecret(ctx, d.ARN, u)
	if u.Description != nil || u.KMSKeyID != nil {
		before, after := secretSettingsOf(d), secretSettingsOf(d)
		before.Tags, after.Tags = nil, nil
		if u.Description != nil {
			after.Description = *u.Description
		}
		if u.KMSKeyID != nil {
			after.KMSKey = *u.KMSKeyID
		}
		s.audit(r, Entry{Action: "secret.update", Resource: d.ARN, Err: err, Before: before, After: after})
	}
	if err != nil {
		field := ""
		if errors.Is(err, cloud.ErrSecretKMSKey) || u.KMSKeyID != nil && strings.Contains(strings.ToLower(cloud.ErrorMessage(err)), "kms") {
			field = "kms_key"
			if f.KMSKey == form.SecretKMSCustom {
				field = "kms_key_custom"
			}
		} else if strings.Contains(strings.ToLower(cloud.ErrorMessage(err)), "description") {
			field = "description"
		}
		errs.Add(field, "Secrets Manager did not save the change: "+cloud.ErrorMessage(err))
		return s.renderSecretEdit(w, r, name, f, errs)
	}
	if !sameTags(d.Tags, f.Tags) {
		err := c.SetSecretTags(ctx, d.ARN, d.Tags, secretTags(f.Tags))
		s.audit(r, Entry{Action: "secret.tag", Resource: d.ARN, Err: err,
			Before: secretSettings{Tags: secretTagMap(d.Tags)}, After: secretSettings{Tags: secretTagMap(secretTags(f.Tags))}})
		if err != nil {
			errs.Add("tags.0.key", "Secrets Manager did not save the tags: "+cloud.ErrorMessage(err))
			return s.renderSecretEdit(w, r, name, f, errs)
		}
	}
	s.redirectWithFlash(w, r, view.SecretURL(name, ""), "Secret "+name+" saved.")
	return nil
}

func sameTags(have []cloud.SecretTag, want []form.KeyValue) bool {
	if len(have) != len(want) {
		return false
	}
	m := map[string]string{}
	for _, t := range have {
		m[t.Key] = t.Value
	}
	for _, t := range want {
		if v, ok := m[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	return true
}

func deleteDayOptions(now time.Time) []view.Option {
	var opts []view.Option
	for d := awsrules.SecretRecoveryWindowMinDays; d <= awsrules.SecretRecoveryWindowMaxDays; d++ {
		opts = append(opts, view.Option{Value: strconv.Itoa(d), Label: fmt.Sprintf("%d days: deleted on %s", d, fmtDate(now.AddDate(0, 0, d)))})
	}
	return opts
}

func (s *Server) renderSecretDelete(w http.ResponseWriter, r *http.Request, name string, f form.SecretDelete, errs form.Errors) {
	m := view.SecretDeletePage{
		Page: s.page(w, r, "Delete "+name, view.SectionSecrets, append(secretCrumbs(name), view.Crumb{Label: "Delete"})...),
		Name: name, Form: f, Errors: errs, DayOptions: deleteDayOptions(time.Now()),
	}
	status := formStatus(errs)
	s.render(w, r, status, view.SecretDelete(m))
}

func (s *Server) secretDeleteForm(w http.ResponseWriter, r *http.Request) error {
	d, err := s.secretFromPath(r)
	if err != nil {
		return err
	}
	if !d.Deletion.IsZero() {
		s.flash(w, r, "info", "This secret is already scheduled for deletion on "+fmtDate(d.Deletion)+".")
		http.Redirect(w, r, view.SecretURL(d.Name, ""), http.StatusSeeOther)
		return nil
	}
	s.renderSecretDelete(w, r, d.Name, form.SecretDelete{Days: strconv.Itoa(awsrules.SecretRecoveryWindowDefaultDays)}, form.Errors{})
	return nil
}

func (s *Server) secretDeletePost(w http.ResponseWriter, r *http.Request) error {
	name, err := s.scopedSecretName(r)
	if err != nil {
		return err
	}
	f := form.DecodeSecretDelete(r.PostForm)
	if errs := f.Validate(name); errs.Any() {
		s.renderSecretDelete(w, r, name, f, errs)
		return nil
	}
	d, err := s.secretForChange(r, name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	when, err := s.clients(r).DeleteSecret(ctx, d.ARN, f.DaysValue(), f.Force)
	detail := "without recovery"
	if !f.Force {
		detail = fmt.Sprintf("recovery window %d days", f.DaysValue())
		if err == nil {
			detail += ", deleted on " + fmtDate(when)
		}
	}
	s.audit(r, Entry{Action: "secret.delete", Resource: d.ARN, Err: err, Detail: detail, Before: secretSettingsOf(d)})
	if err != nil {
		if errors.Is(err, cloud.ErrSecretNotFound) {
			return notFound("There is no secret named " + name + " in " + s.region(r) + ".")
		}
		var errs form.Errors
		field := ""
		if !f.Force && strings.Contains(strings.ToLower(cloud.ErrorMessage(err)), "recoverywindow") {
			field = "days"
		}
		errs.Add(field, "Secrets Manager did not delete the secret: "+cloud.ErrorMessage(err))
		s.renderSecretDelete(w, r, name, f, errs)
		return nil
	}
	s.log.Info("secret deleted", "who", s.who(r), "secret", name, "force", f.Force, "deletion_date", when)
	if f.Force {
		s.redirectWithFlash(w, r, "/secrets", "Secret "+name+" was deleted without recovery.")
		return nil
	}
	s.redirectWithFlash(w, r, view.SecretURL(name, ""), "Secret "+name+" is scheduled for deletion on "+fmtDate(when)+".")
	return nil
}

func (s *Server) secretRestore(w http.ResponseWriter, r *http.Request) error {
	name, err := s.scopedSecretName(r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	arn, err := s.clients(r).RestoreSecret(ctx, name)
	s.audit(r, Entry{Action: "secret.restore", Resource: cmp.Or(arn, name), Err: err})
	if err != nil {
		if errors.Is(err, cloud.ErrSecretNotFound) {
			return notFound("There is no secret named " + name + " in " + s.region(r) + ".")
		}
		s.flash(w, r, "error", "Secrets Manager did not cancel the deletion: "+cloud.ErrorMessage(err))
		http.Redirect(w, r, view.SecretURL(name, ""), http.StatusSeeOther)
		return nil
	}
	s.redirectWithFlash(w, r, view.SecretURL(name, ""), "Deletion of "+name+" cancelled. The secret can be read again.")
	return nil
}
