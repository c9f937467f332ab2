package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/form"
	"github.com/berthhq/berth/web/view"
)

// The "Store a new secret" wizard: four steps, each a GET and a POST on its
// own path, with the state between them in a server-side draft (see
// secretDraft). Every step works without JavaScript: view switches, rows,
// password generation and Previous are submit buttons named "action".

const secretDraftSessionKey = "secret_draft"

// noStore keeps a response out of every cache: pages that show or edit
// secret values.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// currentSecretDraft is the session's wizard, or nil.
func (s *Server) currentSecretDraft(r *http.Request) *secretDraft {
	id, _ := s.session(r).Values[secretDraftSessionKey].(string)
	return s.secretDrafts.get(id)
}

// openSecretDraft returns the session's unfinished wizard or starts one.
func (s *Server) openSecretDraft(w http.ResponseWriter, r *http.Request) (*secretDraft, error) {
	if d := s.currentSecretDraft(r); d != nil && !d.done {
		return d, nil
	}
	d := s.secretDrafts.create()
	sess := s.session(r)
	sess.Values[secretDraftSessionKey] = d.id
	if err := sess.Save(r, w); err != nil {
		s.secretDrafts.drop(d.id)
		return nil, err
	}
	return d, nil
}

func (s *Server) secretWizardPage(w http.ResponseWriter, r *http.Request, d *secretDraft, step int) view.SecretWizardPage {
	p := s.page(w, r, "Store a new secret", view.SectionSecrets,
		view.Crumb{Label: "Secrets", Href: "/secrets"}, view.Crumb{Label: "Store a new secret"})
	m := view.SecretWizardPage{Page: p, Step: step, Reached: 1,
		Value: form.NewSecretValue(form.SecretPresetOther), Rotation: form.NewSecretRotation()}
	if d != nil {
		m.Reached, m.Value, m.Config, m.Rotation = d.reached, d.value, d.config, d.rotation
		if d.created != nil {
			m.Stored = d.created.Name
		}
		m.PolicyApplied = d.policyDone
	}
	return m
}

// renderSecretStep renders a step's page; problems make it a 422.
func (s *Server) renderSecretStep(w http.ResponseWriter, r *http.Request, m view.SecretWizardPage) {
	noStore(w)
	status := formStatus(m.Errors)
	switch m.Step {
	case 1:
		if m.Stored == "" {
			m.KMSOptions, m.KMSProblem = s.secretKMSOptions(r, &m.Value.KMSKey, &m.Value.KMSKeyCustom)
		}
		s.render(w, r, status, view.SecretWizardType(m))
	case 2:
		m.Warnings = m.Config.Warnings()
		s.render(w, r, status, view.SecretWizardConfigure(m))
	case 3:
		s.render(w, r, status, view.SecretWizardRotation(m))
	default:
		m.Review = s.secretReview(m)
		s.render(w, r, status, view.SecretWizardReview(m))
	}
}

// stepGuard sends the person to the furthest step they may open when they
// ask for a later one, or to step 1 when there is no wizard.
func (s *Server) stepGuard(w http.ResponseWriter, r *http.Request, step int) *secretDraft {
	d := s.currentSecretDraft(r)
	switch {
	case d == nil:
		s.flash(w, r, "info", "Start here: an unfinished wizard expires after an hour, and does not survive a Berth restart.")
		http.Redirect(w, r, "/secrets/new", http.StatusSeeOther)
		return nil
	case d.done && d.created != nil:
		http.Redirect(w, r, view.SecretURL(d.created.Name, ""), http.StatusSeeOther)
		return nil
	case step > d.reached:
		http.Redirect(w, r, view.SecretWizardSteps[d.reached-1].Href, http.StatusSeeOther)
		return nil
	}
	return d
}

func (s *Server) secretWizardType(w http.ResponseWriter, r *http.Request) error {
	d := s.currentSecretDraft(r)
	if d != nil && d.done {
		d = nil
	}
	m := s.secretWizardPage(w, r, d, 1)
	if d == nil {
		if p := r.URL.Query().Get("preset"); p != "" {
			m.Value = form.NewSecretValue(p)
		}
	}
	s.renderSecretStep(w, r, m)
	return nil
}

func (s *Server) secretWizardTypePost(w http.ResponseWriter, r *http.Request) error {
	d, err := s.openSecretDraft(w, r)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.created != nil {
		s.flash(w, r, "info", "The secret is already stored; its value can no longer change in this wizard. Use New value on the secret's page.")
		http.Redirect(w, r, "/secrets/new/review", http.StatusSeeOther)
		return nil
	}
	f := form.DecodeSecretValue(r.PostForm)
	if f.KMSKey == "" && f.KMSKeyCustom != "" {
		f.KMSKey = form.SecretKMSCustom
	}
	action := r.PostFormValue("action")
	errs, handled := s.secretValueAction(r.Context(), s.clients(r), &f, action)
	if !handled && action != "preset" {
		// Next. A preset chosen without "Use this secret type" still gets its rows.
		f.ApplyPreset()
		errs = f.Validate()
		if !errs.Any() {
			d.value = f
			d.reached = max(d.reached, 2)
			http.Redirect(w, r, "/secrets/new/configure", http.StatusSeeOther)
			return nil
		}
	}
	if action == "preset" {
		f.ApplyPreset()
	}
	d.value = f
	m := s.secretWizardPage(w, r, d, 1)
	m.Errors = errs
	s.renderSecretStep(w, r, m)
	return nil
}

// secretValueAction runs the value editor's buttons (view switch, rows,
// Generate password). handled is false for the form's main submit.
func (s *Server) secretValueAction(ctx context.Context, c *cloud.Clients, f *form.SecretValue, action string) (errs form.Errors, handled bool) {
	switch {
	case action == "view-kv":
		return f.ToKeyValue(), true
	case action == "view-plaintext":
		f.ToPlaintext()
		return errs, true
	case action == "add-row":
		f.Rows = append(f.Rows, form.KeyValue{})
		return errs, true
	case strings.HasPrefix(action, "remove:"):
		if i, err := strconv.Atoi(strings.TrimPrefix(action, "remove:")); err == nil && i >= 0 && i < len(f.Rows) {
			f.Rows = append(f.Rows[:i], f.Rows[i+1:]...)
		}
		return errs, true
	case strings.HasPrefix(action, "generate:"):
		i, err := strconv.Atoi(strings.TrimPrefix(action, "generate:"))
		if err != nil || i < 0 || i > len(f.Rows) || f.Mode != form.SecretModeKeyValue {
			return errs, true
		}
		if errs = f.Password.Validate(); errs.Any() {
			return errs, true
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		pw, err := c.RandomPassword(ctx, cloud.PasswordOptions{
			Length: f.Password.LengthValue(), ExcludeCharacters: f.Password.ExcludeCharacters,
			ExcludeNumbers: f.Password.ExcludeNumbers, ExcludePunctuation: f.Password.ExcludePunctuation,
			ExcludeUppercase: f.Password.ExcludeUppercase, ExcludeLowercase: f.Password.ExcludeLowercase,
			IncludeSpace: f.Password.IncludeSpace, RequireEachIncludedType: f.Password.RequireEachType,
		})
		if err != nil {
			errs.Add("kv."+strconv.Itoa(i)+".value", "Secrets Manager could not generate a password: "+cloud.ErrorMessage(err))
			return errs, true
		}
		if i == len(f.Rows) {
			// The empty row at the end: the person names the key next.
			f.Rows = append(f.Rows, form.KeyValue{})
		}
		f.Rows[i].Value = pw
		return errs, true
	}
	return errs, false
}

// secretKMSOptions builds the encryption key picker. When KMS cannot be
// listed it says why and leaves the typed-key field as the way to choose; a
// chosen key the list does not hold moves to that field, so it is kept.
func (s *Server) secretKMSOptions(r *http.Request, key, custom *string) ([]view.Option, string) {
	opts := []view.Option{{Value: "", Label: "aws/secretsmanager (default)"}}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	keys, more, err := s.clients(r).KMSKeyChoices(ctx)
	problem := ""
	if err != nil {
		problem = "Berth could not list your KMS keys (" + cloud.ErrorMessage(err) + "). Keep aws/secretsmanager, or type a key ID, ARN or alias below."
	}
	for _, k := range keys {
		opts = append(opts, view.Option{Value: k.Alias, Label: strings.TrimPrefix(k.Alias, "alias/") + " (" + k.KeyID + ")"})
	}
	if more {
		problem = "Only the first 500 KMS aliases are listed; type any other key below."
	}
	opts = append(opts, view.Option{Value: form.SecretKMSCustom, Label: "Enter a key ID, ARN or alias"})
	found := false
	for _, o := range opts {
		if o.Value == *key {
			found = true
		}
	}
	if !found {
		*custom, *key = *key, form.SecretKMSCustom
	}
	return opts, problem
}

func (s *Server) secretWizardConfigure(w http.ResponseWriter, r *http.Request) error {
	d := s.stepGuard(w, r, 2)
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	s.renderSecretStep(w, r, s.secretWizardPage(w, r, d, 2))
	return nil
}

func (s *Server) secretWizardConfigurePost(w http.ResponseWriter, r *http.Request) error {
	d := s.stepGuard(w, r, 2)
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	f := form.DecodeSecretConfig(r.PostForm)
	d.keepApplied(&f)
	var errs form.Errors
	switch action := r.PostFormValue("action"); {
	case action == "back":
		d.config = f
		http.Redirect(w, r, "/secrets/new", http.StatusSeeOther)
		return nil
	case action == "add-tag" && d.created == nil:
		f.Tags = append(f.Tags, form.KeyValue{})
	case strings.HasPrefix(action, "remove-tag:") && d.created == nil:
		if i, err := strconv.Atoi(strings.TrimPrefix(action, "remove-tag:")); err == nil && i >= 0 && i < len(f.Tags) {
			f.Tags = append(f.Tags[:i], f.Tags[i+1:]...)
		}
	default:
		errs = f.Validate()
		if !errs.Has("name") && d.created == nil && !s.allowedFor(r, kindSecret, f.Name) {
			errs.Add("name", scopeMessage(s.scopeOf(r, kindSecret), "the secret name"))
		}
		if !errs.Any() && d.created == nil {
			s.checkSecretNameFree(r, f.Name, &errs)
		}
		if !errs.Any() {
			d.config = f
			d.reached = max(d.reached, 3)
			http.Redirect(w, r, "/secrets/new/rotation", http.StatusSeeOther)
			return nil
		}
	}
	d.config = f
	m := s.secretWizardPage(w, r, d, 2)
	m.Errors = errs
	s.renderSecretStep(w, r, m)
	return nil
}

// checkSecretNameFree tells the person now, not at Store, that the name is
// taken. Any other failure is left for CreateSecret to report.
func (s *Server) checkSecretNameFree(r *http.Request, name string, errs *form.Errors) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	d, err := s.clients(r).DescribeSecret(ctx, name)
	if err != nil {
		return
	}
	if !d.Deletion.IsZero() {
		errs.Add("name", fmt.Sprintf("A secret named %s is scheduled for deletion on %s. Cancel its deletion (list: Show secrets scheduled for deletion), or choose another name", name, fmtDate(d.Deletion)))
		return
	}
	errs.Add("name", fmt.Sprintf("A secret named %s already exists in %s. Choose another name", name, s.region(r)))
}

func (s *Server) secretWizardRotation(w http.ResponseWriter, r *http.Request) error {
	d := s.stepGuard(w, r, 3)
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	s.renderSecretStep(w, r, s.secretWizardPage(w, r, d, 3))
	return nil
}

func (s *Server) secretWizardRotationPost(w http.ResponseWriter, r *http.Request) error {
	d := s.stepGuard(w, r, 3)
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	f := form.DecodeSecretRotation(r.PostForm)
	d.rotation = f
	if r.PostFormValue("action") == "back" {
		http.Redirect(w, r, "/secrets/new/configure", http.StatusSeeOther)
		return nil
	}
	errs := f.Validate()
	if !errs.Any() {
		d.reached = max(d.reached, 4)
		http.Redirect(w, r, "/secrets/new/review", http.StatusSeeOther)
		return nil
	}
	m := s.secretWizardPage(w, r, d, 3)
	m.Errors = errs
	s.renderSecretStep(w, r, m)
	return nil
}

func (s *Server) secretWizardReview(w http.ResponseWriter, r *http.Request) error {
	d := s.stepGuard(w, r, 4)
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	s.renderSecretStep(w, r, s.secretWizardPage(w, r, d, 4))
	return nil
}

// secretWizardStore is Store. It runs under the draft's lock, and the
// CreateSecret call carries the draft's ClientRequestToken: a double click
// waits and then finds the secret stored; a retry after a timeout asks AWS
// for the same version, which AWS answers with the secret it already made.
func (s *Server) secretWizardStore(w http.ResponseWriter, r *http.Request) error {
	d := s.currentSecretDraft(r)
	if d == nil {
		s.flash(w, r, "error", "This wizard is no longer open (it expires after an hour, and does not survive a Berth restart). Nothing was stored from it; start again.")
		http.Redirect(w, r, "/secrets/new", http.StatusSeeOther)
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		s.redirectWithFlash(w, r, view.SecretURL(d.created.Name, ""), "Secret "+d.created.Name+" is stored.")
		return nil
	}
	if r.PostFormValue("action") == "back" {
		http.Redirect(w, r, "/secrets/new/rotation", http.StatusSeeOther)
		return nil
	}
	if d.reached < 4 {
		http.Redirect(w, r, view.SecretWizardSteps[d.reached-1].Href, http.StatusSeeOther)
		return nil
	}
	c := s.clients(r)
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	if d.created == nil {
		if !s.allowedFor(r, kindSecret, d.config.Name) {
			// The scope changed since step 2.
			m := s.secretWizardPage(w, r, d, 2)
			m.Errors.Add("name", scopeMessage(s.scopeOf(r, kindSecret), "the secret name"))
			s.renderSecretStep(w, r, m)
			return nil
		}
		in := cloud.NewSecret{
			Name: d.config.Name, Description: d.config.Description, KMSKeyID: d.value.KMSKeyID(),
			Value: d.value.Secret(), Tags: wizardSecretTags(d.value.Preset, d.config.Tags), Token: d.token(),
		}
		ref, err := c.CreateSecret(ctx, in)
		resource := ref.ARN
		if resource == "" {
			resource = d.config.Name
		}
		// Settings only: the value never goes to the audit trail.
		s.audit(r, Entry{Action: "secret.create", Resource: resource, Err: err,
			After: secretSettings{Description: in.Description, KMSKey: in.KMSKeyID, Tags: secretTagMap(in.Tags)}})
		if err != nil {
			s.secretStoreFailed(w, r, d, err)
			return nil
		}
		d.created = &ref
	}
	if d.config.Policy != "" && !d.policyDone {
		err := c.PutSecretPolicy(ctx, d.created.ARN, d.config.Policy)
		s.audit(r, Entry{Action: "secret.update", Resource: d.created.ARN, Err: err, Detail: "resource permissions",
			After: policySettings(d.config.Policy)})
		if err != nil {
			m := s.secretWizardPage(w, r, d, 2)
			m.Errors.Add("policy", "Secrets Manager refused the resource permissions: "+cloud.ErrorMessage(err))
			s.renderSecretStep(w, r, m)
			return nil
		}
		d.policyDone = true
	}
	if d.rotation.Enabled && !d.rotationDone {
		err := c.RotateSecret(ctx, d.created.ARN, cloud.Rotation{
			LambdaARN: d.rotation.LambdaARN, AfterDays: d.rotation.AfterDays(), Schedule: d.rotation.Expression,
			Window: d.rotation.Window, Immediately: d.rotation.Immediately,
		}, d.rotationToken())
		s.audit(r, Entry{Action: "secret.update", Resource: d.created.ARN, Err: err, Detail: "rotation",
			After: map[string]any{"rotation": map[string]any{"lambdaARN": d.rotation.LambdaARN, "afterDays": d.rotation.AfterDays(),
				"schedule": d.rotation.Expression, "window": d.rotation.Window, "immediately": d.rotation.Immediately}}})
		if err != nil {
			m := s.secretWizardPage(w, r, d, 3)
			switch {
			case errors.Is(err, cloud.ErrSecretRotationFunction) && s.backend.Local():
				m.Errors.Add("rotation_lambda", "Secrets Manager cannot reach this rotation function ("+cloud.ErrorMessage(err)+"). "+
					"Local mode has no Lambda, so rotation cannot be turned on here: turn automatic rotation off to finish.")
			case errors.Is(err, cloud.ErrSecretRotationFunction):
				m.Errors.Add("rotation_lambda", "Secrets Manager cannot reach this rotation function ("+cloud.ErrorMessage(err)+"). "+
					"Check the ARN, that the function exists in "+s.region(r)+", and that its resource policy lets secretsmanager.amazonaws.com invoke it.")
			default:
				m.Errors.Add("rotation", "Rotation could not be configured: "+cloud.ErrorMessage(err))
			}
			s.renderSecretStep(w, r, m)
			return nil
		}
		d.rotationDone = true
	}
	name := d.created.Name
	d.finish()
	s.redirectWithFlash(w, r, view.SecretURL(name, ""), "Secret "+name+" stored.")
	return nil
}

// secretStoreFailed brings the person back to the step and field an AWS
// refusal of CreateSecret belongs to, with everything typed.
func (s *Server) secretStoreFailed(w http.ResponseWriter, r *http.Request, d *secretDraft, err error) {
	msg := cloud.ErrorMessage(err)
	lower := strings.ToLower(msg)
	step, field := 4, ""
	switch {
	case errors.Is(err, cloud.ErrSecretExists):
		step, field = 2, "name"
		msg = fmt.Sprintf("A secret named %s already exists in %s. Choose another name (%s)", d.config.Name, s.region(r), msg)
	case errors.Is(err, cloud.ErrSecretScheduledForDeletion):
		step, field = 2, "name"
		msg = "A secret with this name is scheduled for deletion. Cancel its deletion, or choose another name (" + msg + ")"
	case errors.Is(err, cloud.ErrSecretKMSKey) || strings.Contains(lower, "kms"):
		step, field = 1, "kms_key"
		if d.value.KMSKey == form.SecretKMSCustom {
			field = "kms_key_custom"
		}
	case errors.Is(err, cloud.ErrSecretInvalid) && strings.Contains(lower, "name"):
		step, field = 2, "name"
	case errors.Is(err, cloud.ErrSecretInvalid) && strings.Contains(lower, "description"):
		step, field = 2, "description"
	case errors.Is(err, cloud.ErrSecretInvalid) && strings.Contains(lower, "tag"):
		step, field = 2, "tags.0.key"
	case errors.Is(err, cloud.ErrSecretInvalid) && strings.Contains(lower, "secretstring"):
		step, field = 1, "kv.0.value"
		if d.value.Mode == form.SecretModePlaintext {
			field = "plaintext"
		}
	default:
		msg = "Secrets Manager did not store the secret: " + msg + ". Nothing was lost: choose Store again."
	}
	if step == 4 {
		s.log.Warn("store secret failed", "err_code", cloud.ErrorCode(err), "secret", d.config.Name)
	}
	m := s.secretWizardPage(w, r, d, step)
	m.Errors.Add(field, msg)
	s.renderSecretStep(w, r, m)
}

func (s *Server) secretWizardCancel(w http.ResponseWriter, r *http.Request) error {
	to, msg := "/secrets", "The new secret was discarded; nothing was stored."
	if id, _ := s.session(r).Values[secretDraftSessionKey].(string); id != "" {
		if d := s.secretDrafts.get(id); d != nil {
			d.mu.Lock()
			if d.created != nil {
				// Store already made the secret: Cancel only drops what
				// was not applied yet.
				to = view.SecretURL(d.created.Name, "")
				msg = "Secret " + d.created.Name + " stays stored; what the wizard had not applied to it yet was discarded."
			}
			d.mu.Unlock()
		}
		s.secretDrafts.drop(id)
		sess := s.session(r)
		delete(sess.Values, secretDraftSessionKey)
		if err := sess.Save(r, w); err != nil {
			return err
		}
	}
	s.redirectWithFlash(w, r, to, msg)
	return nil
}

func secretTags(rows []form.KeyValue) []cloud.SecretTag {
	out := make([]cloud.SecretTag, 0, len(rows))
	for _, t := range rows {
		out = append(out, cloud.SecretTag{Key: t.Key, Value: t.Value})
	}
	return out
}

// wizardSecretTags are the tags Store sets: the person's, plus the
// registry credentials tag for that secret type (unless they set the key
// themselves or have no tag left), which lets the task definition builder
// offer the secret first without reading any secret's value.
func wizardSecretTags(preset string, rows []form.KeyValue) []cloud.SecretTag {
	tags := secretTags(rows)
	if preset != form.SecretPresetRegistry || len(tags) >= awsrules.SecretTagsMax {
		return tags
	}
	for _, t := range tags {
		if t.Key == cloud.RegistryCredentialsTagKey {
			return tags
		}
	}
	return append(tags, cloud.SecretTag{Key: cloud.RegistryCredentialsTagKey, Value: cloud.RegistryCredentialsTagValue})
}

var envNameUnsafe = regexp.MustCompile(`[^A-Z0-9_]+`)

// envName turns a JSON key into a plausible environment variable name.
func envName(key string) string {
	n := envNameUnsafe.ReplaceAllString(strings.ToUpper(key), "_")
	if n == "" || (n[0] >= '0' && n[0] <= '9') {
		n = "SECRET_" + n
	}
	return n
}

// secretReview builds step 4: the value's shape (never the value) and the
// code that reads the secret once it is stored.
func (s *Server) secretReview(m view.SecretWizardPage) view.SecretReview {
	rv := view.SecretReview{KMSLabel: view.SecretKMSLabel(m.Value), Registry: m.Value.Preset == form.SecretPresetRegistry}
	if tags := wizardSecretTags(m.Value.Preset, m.Config.Tags); len(tags) > len(m.Config.Tags) {
		rv.AddedTag = tags[len(tags)-1].Key + "=" + tags[len(tags)-1].Value
	}
	if m.Value.Mode == form.SecretModeKeyValue {
		for _, r := range m.Value.Rows {
			rv.Keys = append(rv.Keys, r.Key)
		}
	}
	rv.Bytes = len(m.Value.Secret())
	name, region := m.Config.Name, m.Backend.Region
	account := m.Backend.Account
	if account == "" {
		account = "<account-id>"
	}
	arn := "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + name + "-??????"
	endpoint := ""
	if m.Backend.Local {
		endpoint = m.Backend.Endpoint
	}
	rv.GoSample = goSample(name, region, endpoint)
	rv.CLISample = cliSample(name, region, endpoint)
	if rv.Registry {
		rv.ECSSample = repositoryCredentialsSnippet(arn)
	} else {
		rv.ECSSample = secretsSnippet(arn, rv.Keys)
	}
	return rv
}

func goSample(name, region, endpoint string) string {
	opts := fmt.Sprintf("config.WithRegion(%q)", region)
	if endpoint != "" {
		opts += fmt.Sprintf(",\n\tconfig.WithBaseEndpoint(%q)) // Berth's local emulator", endpoint)
	} else {
		opts += ")"
	}
	return fmt.Sprintf(`cfg, err := config.LoadDefaultConfig(ctx, %s
if err != nil {
	return err
}
out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
	SecretId: aws.String(%q),
})
if err != nil {
	return err
}
secret := aws.ToString(out.SecretString) // never log it`, opts, name)
}

func cliSample(name, region, endpoint string) string {
	cmd := "aws secretsmanager get-secret-value --secret-id " + shellQuote(name) + " --region " + region
	if endpoint != "" {
		cmd += " --endpoint-url " + endpoint
	}
	return cmd + " --query SecretString --output text"
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]+$`)

func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func repositoryCredentialsSnippet(arn string) string {
	return fmt.Sprintf("\"repositoryCredentials\": {\n  \"credentialsParameter\": %q\n}", arn)
}

func secretsSnippet(arn string, keys []string) string {
	var b strings.Builder
	b.WriteString("\"secrets\": [")
	if len(keys) == 0 {
		fmt.Fprintf(&b, "\n  {\"name\": \"SECRET\", \"valueFrom\": %q}", arn)
	}
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "\n  {\"name\": %q, \"valueFrom\": %q}", envName(k), arn+":"+k+"::")
	}
	b.WriteString("\n]")
	return b.String()
}
