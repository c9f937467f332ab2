package web_test

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/web/view"
	"github.com/berthhq/berth/web/webtest"
)

// wantStatus fails the test unless r has the status.
func wantStatus(t *testing.T, r webtest.Response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s = %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.Body)
	}
}

func wantRedirect(t *testing.T, r webtest.Response, to string) {
	t.Helper()
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != to {
		t.Fatalf("%s redirects to %q, want %q", r.Request.URL.Path, loc, to)
	}
}

func wantContains(t *testing.T, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("page lacks %q", p)
		}
	}
}

// storeSecretWizard walks the four steps with a key/value secret and
// returns the response to Store.
func storeSecretWizard(t *testing.T, env *webtest.Env, name string, rows map[string]string, extra url.Values) webtest.Response {
	t.Helper()
	step1 := url.Values{"preset": {"other"}, "mode": {"kv"}, "action": {"next"}}
	i := 0
	for k, v := range rows {
		step1.Set("kv."+strconv.Itoa(i)+".key", k)
		step1.Set("kv."+strconv.Itoa(i)+".value", v)
		i++
	}
	for k, v := range extra {
		if strings.HasPrefix(k, "1:") {
			step1[k[2:]] = v
		}
	}
	wantRedirect(t, env.PostForm(t, "/secrets/new", step1), "/secrets/new/configure")
	step2 := url.Values{"name": {name}, "description": {"made by a test"}, "tags.0.key": {"team"}, "tags.0.value": {"web"}, "action": {"next"}}
	for k, v := range extra {
		if strings.HasPrefix(k, "2:") {
			step2[k[2:]] = v
		}
	}
	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", step2), "/secrets/new/rotation")
	step3 := url.Values{"action": {"next"}}
	for k, v := range extra {
		if strings.HasPrefix(k, "3:") {
			step3[k[2:]] = v
		}
	}
	wantRedirect(t, env.PostForm(t, "/secrets/new/rotation", step3), "/secrets/new/review")
	return env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}})
}

func clients(env *webtest.Env) *cloud.Clients { return env.Backend.In("") }

func TestSecretWizardStoresSecret(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("wizard") + "/RegistryCredentials"
	// Step 1 with the registry preset: the username/password rows and the ECR note.
	r := env.Get(t, "/secrets/new?preset=registry")
	wantStatus(t, r, 200)
	wantContains(t, r.Body, `name="kv.0.key" value="username"`, `name="kv.1.key" value="password"`,
		"expires after 12 hours", "task execution role", "aws/secretsmanager (default)", "does not survive a Berth restart")
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("step 1 Cache-Control = %q", r.Header.Get("Cache-Control"))
	}
	r = env.PostForm(t, "/secrets/new", url.Values{"preset": {"registry"}, "mode": {"kv"}, "action": {"next"},
		"kv.0.key": {"username"}, "kv.0.value": {"AWS"}, "kv.1.key": {"password"}, "kv.1.value": {"hunter2-registry"}})
	wantRedirect(t, r, "/secrets/new/configure")
	r = env.Get(t, "/secrets/new/configure")
	wantStatus(t, r, 200)
	if strings.Contains(r.Body, "hunter2-registry") {
		t.Fatal("step 2 carries the secret value")
	}
	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", url.Values{"name": {name}, "description": {"Docker Hub"},
		"tags.0.key": {"team"}, "tags.0.value": {"web"}, "action": {"next"}}), "/secrets/new/rotation")
	wantRedirect(t, env.PostForm(t, "/secrets/new/rotation", url.Values{"action": {"next"}}), "/secrets/new/review")
	r = env.Get(t, "/secrets/new/review")
	wantStatus(t, r, 200)
	wantContains(t, r.Body, name, "Docker Hub", "team=web", `id="review-added-tag">berth:secret-type=registry-credentials<`, "<code>username</code>", "<code>password</code>", "••••••••",
		"GetSecretValue", "aws secretsmanager get-secret-value --secret-id "+name, "repositoryCredentials", "credentialsParameter")
	if strings.Contains(r.Body, "hunter2-registry") {
		t.Fatal("review shows the secret value")
	}
	r = env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}})
	wantRedirect(t, r, view.SecretURL(name, ""))
	page := env.Follow(t, r)
	wantStatus(t, page, 200)
	wantContains(t, page.Body, "Secret "+name+" stored.", "arn:aws:secretsmanager:us-east-1:000000000000:secret:"+name+"-", "AWSCURRENT", "Docker Hub")

	v, err := clients(env).GetSecretValue(context.Background(), name)
	if err != nil || v.String != `{"username":"AWS","password":"hunter2-registry"}` {
		t.Fatalf("stored value = %q, %v", v.String, err)
	}
	d, _ := clients(env).DescribeSecret(context.Background(), name)
	// The registry type adds its tag to the person's, for the builder's picker.
	tags := map[string]string{}
	for _, tg := range d.Tags {
		tags[tg.Key] = tg.Value
	}
	if d.Description != "Docker Hub" || len(tags) != 2 || tags["team"] != "web" || tags[cloud.RegistryCredentialsTagKey] != cloud.RegistryCredentialsTagValue {
		t.Errorf("stored secret = %+v", d)
	}
}

func TestSecretWizardStepOneRulesAndViews(t *testing.T) {
	env := webtest.New(t)
	// A duplicate key and a missing key: 422, each at its field, the summary, everything typed kept.
	r := env.PostForm(t, "/secrets/new", url.Values{"mode": {"kv"}, "action": {"next"},
		"kv.0.key": {"a"}, "kv.0.value": {"typed-one"}, "kv.1.key": {"a"}, "kv.1.value": {"typed-two"}, "kv.2.key": {""}, "kv.2.value": {"typed-three"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, `id="error-summary"`, `href="#f-kv-1-key"`, `href="#f-kv-2-key"`, `aria-describedby="f-kv-1-key-error"`,
		`The key &#34;a&#34; is used more than once`, "Enter a key for this value", `value="typed-one"`, `value="typed-two"`, `value="typed-three"`)

	// Switch to plaintext: the rows become JSON; back to key/value they return.
	r = env.PostForm(t, "/secrets/new", url.Values{"mode": {"kv"}, "action": {"view-plaintext"}, "kv.0.key": {"user"}, "kv.0.value": {"u1"}})
	wantStatus(t, r, 200)
	wantContains(t, r.Body, `name="plaintext"`, "&#34;user&#34;: &#34;u1&#34;")
	r = env.PostForm(t, "/secrets/new", url.Values{"mode": {"plaintext"}, "action": {"view-kv"}, "plaintext": {`{"user":"u2","host":"h"}`}})
	wantStatus(t, r, 200)
	wantContains(t, r.Body, `name="kv.0.key" value="user"`, `name="kv.0.value" value="u2"`, `name="kv.1.key" value="host"`)
	// Plaintext that is not a flat JSON object cannot switch back.
	r = env.PostForm(t, "/secrets/new", url.Values{"mode": {"plaintext"}, "action": {"view-kv"}, "plaintext": {`not json at all`}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "must be a JSON object", "not json at all")
	// Too large.
	r = env.PostForm(t, "/secrets/new", url.Values{"mode": {"plaintext"}, "action": {"next"}, "plaintext": {strings.Repeat("x", 65537)}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "at most 65536 bytes")

	// Generate password fills the row with GetRandomPassword's answer.
	r = env.PostForm(t, "/secrets/new", url.Values{"mode": {"kv"}, "action": {"generate:0"}, "kv.0.key": {"password"},
		"password.length": {"24"}, "password.exclude_punctuation": {"true"}, "password.require_each": {"true"}})
	wantStatus(t, r, 200)
	i := strings.Index(r.Body, `name="kv.0.value" value="`)
	if i < 0 {
		t.Fatal("no value field")
	}
	pw := r.Body[i+len(`name="kv.0.value" value="`):]
	pw = pw[:strings.IndexByte(pw, '"')]
	if len(pw) != 24 {
		t.Errorf("generated password %q has length %d", pw, len(pw))
	}
	r = env.PostForm(t, "/secrets/new", url.Values{"mode": {"kv"}, "action": {"generate:0"}, "password.length": {"0"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "Enter a password length from 1 to 4096")

	// A typed KMS key that is not a key reference.
	r = env.PostForm(t, "/secrets/new", url.Values{"mode": {"kv"}, "action": {"next"}, "kv.0.key": {"a"}, "kv.0.value": {"b"},
		"kms_key": {"custom"}, "kms_key_custom": {"not a key"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, `href="#f-kms_key_custom"`, `value="not a key"`)
}

func TestSecretWizardStepsTwoAndThreeRules(t *testing.T) {
	env := webtest.New(t)
	// Without a wizard, later steps send the person to step 1.
	r := env.Get(t, "/secrets/new/review")
	wantRedirect(t, r, "/secrets/new")
	wantRedirect(t, env.PostForm(t, "/secrets/new", url.Values{"mode": {"kv"}, "action": {"next"}, "kv.0.key": {"a"}, "kv.0.value": {"b"}}), "/secrets/new/configure")
	// Step 4 is not reachable before step 3.
	wantRedirect(t, env.Get(t, "/secrets/new/review"), "/secrets/new/configure")

	r = env.PostForm(t, "/secrets/new/configure", url.Values{"name": {"bad name!"}, "description": {"kept text"},
		"tags.0.key": {"aws:x"}, "tags.0.value": {"v"}, "policy": {"{not json"}, "action": {"next"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "Use only ASCII letters, digits, and / _ + = . @ -", `href="#f-tags-0-key"`, "not valid JSON",
		`value="bad name!"`, "kept text", "{not json")
	// A name ending like an ARN suffix is a warning, not an error.
	r = env.PostForm(t, "/secrets/new/configure", url.Values{"name": {webtest.Name("warn") + "/db-abc123"}, "description": {strings.Repeat("d", 2049)}, "action": {"next"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "Avoid ending the name with a hyphen and six characters", "Use at most 2048 characters")

	// A name already taken is reported at step 2, before Store.
	taken := webtest.Name("taken")
	if _, err := clients(env).CreateSecret(context.Background(), cloud.NewSecret{Name: taken, Value: "x", Token: strings.Repeat("t", 32)}); err != nil {
		t.Fatal(err)
	}
	r = env.PostForm(t, "/secrets/new/configure", url.Values{"name": {taken}, "action": {"next"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "A secret named "+taken+" already exists in us-east-1")
	// Previous keeps what was typed without checking it.
	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", url.Values{"name": {"half typed"}, "action": {"back"}}), "/secrets/new")
	wantContains(t, env.Get(t, "/secrets/new").Body, `value="b"`)
	wantContains(t, env.Get(t, "/secrets/new/configure").Body, `value="half typed"`)

	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", url.Values{"name": {webtest.Name("ok")}, "action": {"next"}}), "/secrets/new/rotation")
	r = env.PostForm(t, "/secrets/new/rotation", url.Values{"rotation": {"true"}, "schedule": {"expression"}, "rotation_expression": {"rate(2 hours)"},
		"rotation_window": {"30h"}, "rotation_lambda": {"my-function"}, "action": {"next"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "A rate in hours must be from 4 to 23 hours", "from 1h to 24h", "Enter a Lambda function ARN", `value="rate(2 hours)"`)
}

// wantFieldProblem fails unless the input with this id is marked invalid
// and its message block says msg.
func wantFieldProblem(t *testing.T, body, id, msg string) {
	t.Helper()
	i := strings.Index(body, ` id="`+id+`"`)
	if i < 0 {
		t.Fatalf("page lacks #%s", id)
	}
	if tag := body[i : i+strings.Index(body[i:], ">")]; !strings.Contains(tag, `aria-invalid="true"`) {
		t.Errorf("#%s is not marked invalid: %s", id, tag)
	}
	if got := fieldErrorByID(body, id); !strings.Contains(got, msg) {
		t.Errorf("#%s-error says %q, want %q", id, got, msg)
	}
}

func TestSecretWizardRotationProblemsAtTheirInput(t *testing.T) {
	env := webtest.New(t)
	wantRedirect(t, env.PostForm(t, "/secrets/new", url.Values{"mode": {"kv"}, "action": {"next"}, "kv.0.key": {"a"}, "kv.0.value": {"b"}}), "/secrets/new/configure")
	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", url.Values{"name": {webtest.Name("rot")}, "action": {"next"}}), "/secrets/new/rotation")
	fn := "arn:aws:lambda:us-east-1:000000000000:function:rotate"
	for _, tc := range []struct{ expr, window, id, msg string }{
		{"rate(1000 days)", "", "f-rotation_expression", "A rate in days must be from 1 to 999 days"},
		{"cron(0 8 1 * * *)", "", "f-rotation_expression", "Use ? in exactly one of day-of-month and day-of-week"},
		{"cron(0 22 * * ? *)", "3h", "f-rotation_window", "extend into the next UTC day"},
		{"rate(4 hours)", "5h", "f-rotation_window", "extend into the next rotation window"},
	} {
		r := env.PostForm(t, "/secrets/new/rotation", url.Values{"rotation": {"true"}, "schedule": {"expression"},
			"rotation_expression": {tc.expr}, "rotation_window": {tc.window}, "rotation_lambda": {fn}, "action": {"next"}})
		wantStatus(t, r, 422)
		wantFieldProblem(t, r.Body, tc.id, tc.msg)
		wantContains(t, r.Body, `value="`+tc.expr+`"`, `value="`+fn+`"`, `href="#`+tc.id+`"`)
		if tc.window != "" {
			wantContains(t, r.Body, `value="`+tc.window+`"`)
		}
		if strings.Contains(r.Body, `id="f-rotation-error"`) {
			t.Errorf("%s: a problem sits under the Automatic rotation checkbox", tc.expr)
		}
	}
}

func TestSecretWizardDoubleSubmitStoresOneSecret(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("double")
	step := func(path string, v url.Values) { env.PostForm(t, path, v) }
	step("/secrets/new", url.Values{"mode": {"kv"}, "action": {"next"}, "kv.0.key": {"k"}, "kv.0.value": {"v"}})
	step("/secrets/new/configure", url.Values{"name": {name}, "action": {"next"}})
	step("/secrets/new/rotation", url.Values{"action": {"next"}})
	// Three Store clicks at once, then a reload of the last one.
	var wg sync.WaitGroup
	results := make([]webtest.Response, 3)
	for i := range results {
		wg.Go(func() { results[i] = env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}}) })
	}
	wg.Wait()
	results = append(results, env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}}))
	for _, r := range results {
		wantRedirect(t, r, view.SecretURL(name, ""))
	}
	p, err := clients(env).ListSecrets(context.Background(), cloud.SecretFilter{Name: name}, "", 100)
	if err != nil || len(p.Secrets) != 1 {
		t.Fatalf("secrets named %s: %d, %v", name, len(p.Secrets), err)
	}
	d, err := clients(env).DescribeSecret(context.Background(), name)
	if err != nil || len(d.Versions) != 1 {
		t.Fatalf("versions = %+v, %v", d.Versions, err)
	}
}

func TestSecretWizardRetryAfterLostAnswerIsIdempotent(t *testing.T) {
	// The draft's ClientRequestToken is what makes a retry safe when Berth
	// never saw AWS's answer: the same token and value name the same secret.
	c := clients(webtest.New(t))
	in := cloud.NewSecret{Name: webtest.Name("retry"), Value: "v", Token: strings.Repeat("a", 64)}
	first, err := c.CreateSecret(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateSecret(context.Background(), in)
	if err != nil || again.ARN != first.ARN {
		t.Fatalf("retry = %+v %v, want %s", again, err, first.ARN)
	}
}

func TestSecretWizardAWSErrorsReturnToTheirStep(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("race")
	env.PostForm(t, "/secrets/new", url.Values{"mode": {"kv"}, "action": {"next"}, "kv.0.key": {"k"}, "kv.0.value": {"typed-value"}})
	env.PostForm(t, "/secrets/new/configure", url.Values{"name": {name}, "description": {"my words"}, "action": {"next"}})
	env.PostForm(t, "/secrets/new/rotation", url.Values{"action": {"next"}})
	// Someone else takes the name between step 2 and Store.
	if _, err := clients(env).CreateSecret(context.Background(), cloud.NewSecret{Name: name, Value: "theirs", Token: strings.Repeat("z", 32)}); err != nil {
		t.Fatal(err)
	}
	r := env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "Configure secret", `href="#f-name"`, "already exists", "my words", `value="`+name+`"`)
	// Their secret is untouched.
	if v, _ := clients(env).GetSecretValue(context.Background(), name); v.String != "theirs" {
		t.Errorf("other secret's value changed: %q", v.String)
	}

	// Scheduled for deletion.
	clients(env).DeleteSecret(context.Background(), name, 7, false)
	r = env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "scheduled for deletion")

	// A public resource policy is refused at step 2, before anything is
	// stored: AWS would refuse it only after CreateSecret.
	name2 := webtest.Name("policy")
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	r = env.PostForm(t, "/secrets/new/configure", url.Values{"name": {name2}, "policy": {public}, "action": {"next"}})
	wantStatus(t, r, 422)
	wantFieldProblem(t, r.Body, "f-policy", "AWS would refuse this policy because Block public policy is on: statement 1 allows every principal")
	wantContains(t, r.Body, `href="#f-policy"`, "Berth checks that it is a JSON object with a Statement", "AWS makes the final decision",
		html.EscapeString(public), `value="`+name2+`"`)
	if strings.Contains(r.Body, "refuses policies that make the secret public") {
		t.Error("the help still claims Berth refuses every public policy")
	}
	if _, err := clients(env).DescribeSecret(context.Background(), name2); err == nil {
		t.Error("a secret was stored with a public policy typed")
	}
	// Naming the account instead, the policy goes on at Store.
	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", url.Values{"name": {name2}, "action": {"next"},
		"policy": {`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`}}), "/secrets/new/rotation")
	env.PostForm(t, "/secrets/new/rotation", url.Values{"action": {"next"}})
	wantRedirect(t, env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}}), view.SecretURL(name2, ""))
	if got, _ := clients(env).SecretPolicy(context.Background(), name2); !strings.Contains(got, "000000000000:root") {
		t.Errorf("AWS holds policy %q", got)
	}

	// Rotation: local mode has no Lambda, so RotateSecret is refused as AWS
	// refuses a missing function; Store says so at the function's field.
	name3 := webtest.Name("rotate")
	r = storeSecretWizard(t, env, name3, map[string]string{"k": "v"}, failingRotation())
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "Configure rotation", `href="#f-rotation_lambda"`, "Local mode has no Lambda", `id="stored-notice"`)
	wantRedirect(t, env.PostForm(t, "/secrets/new/rotation", url.Values{"action": {"next"}}), "/secrets/new/review")
	wantRedirect(t, env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}}), view.SecretURL(name3, ""))
}

// wantDisabled fails unless the controls with these ids are disabled.
func wantDisabled(t *testing.T, body string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		i := strings.Index(body, ` id="`+id+`"`)
		if i < 0 {
			t.Errorf("page lacks #%s", id)
			continue
		}
		if tag := body[i : i+strings.Index(body[i:], ">")]; !strings.Contains(tag, " disabled") {
			t.Errorf("#%s is not disabled: %s", id, tag)
		}
	}
}

// secretTagText is a secret's tags as key=value, in AWS's order.
func secretTagText(tags []cloud.SecretTag) string {
	var parts []string
	for _, t := range tags {
		parts = append(parts, t.Key+"="+t.Value)
	}
	return strings.Join(parts, ",")
}

func TestSecretWizardAfterPartialStoreOnlyShowsWhatAWSHolds(t *testing.T) {
	// Store creates the secret, then RotateSecret fails (local mode has no
	// Lambda): the person is back in the wizard with the secret stored.
	// What CreateSecret applied must not change on the way to Review, or
	// Review would show what the finishing Store never sends.
	env := webtest.New(t)
	ctx := context.Background()
	name := webtest.Name("partial")
	r := storeSecretWizard(t, env, name, map[string]string{"k": "first-value"}, failingRotation())
	wantStatus(t, r, 422)
	wantContains(t, r.Body, `id="stored-notice"`, `href="#f-rotation_lambda"`)

	// Step 2 shows name, description and tags read-only and ignores posted changes.
	r = env.Get(t, "/secrets/new/configure")
	wantContains(t, r.Body, `id="stored-config-note"`, `id="stored-tags"`, "team=web")
	wantDisabled(t, r.Body, "f-name", "f-description")
	if strings.Contains(r.Body, `name="tags.0.key"`) {
		t.Error("step 2 still offers the stored secret's tags for editing")
	}
	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", url.Values{"name": {"other"}, "description": {"second"},
		"tags.0.key": {"team"}, "tags.0.value": {"x"}, "tags.1.key": {"extra"}, "action": {"next"}}), "/secrets/new/rotation")
	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", url.Values{"description": {"second"}, "action": {"add-tag"}}), "/secrets/new/rotation")
	// Step 1 shows the value and key as stored; a posted value is refused.
	r = env.Get(t, "/secrets/new")
	wantContains(t, r.Body, `id="stored-value-note"`, "aws/secretsmanager (default)")
	if strings.Contains(r.Body, "first-value") || strings.Contains(r.Body, `id="secret-type-form"`) {
		t.Error("step 1 offers the stored value for editing")
	}
	wantRedirect(t, env.PostForm(t, "/secrets/new", url.Values{"mode": {"kv"}, "action": {"next"}, "kv.0.key": {"k"}, "kv.0.value": {"second-value"},
		"kms_key": {"custom"}, "kms_key_custom": {"alias/other"}}), "/secrets/new/review")

	wantRedirect(t, env.PostForm(t, "/secrets/new/rotation", url.Values{"action": {"next"}}), "/secrets/new/review")
	review := env.Get(t, "/secrets/new/review").Body
	r = env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}})
	wantRedirect(t, r, view.SecretURL(name, ""))

	d, err := clients(env).DescribeSecret(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if d.Description != "made by a test" || secretTagText(d.Tags) != "team=web" || d.KMSKeyID != "" {
		t.Errorf("AWS holds description %q, tags %q, key %q", d.Description, secretTagText(d.Tags), d.KMSKeyID)
	}
	wantContains(t, review, "made by a test", "team=web", "aws/secretsmanager (default)", `id="review-name">`+name+"<")
	for _, unsent := range []string{"second", "team=x", "extra", "alias/other"} {
		if strings.Contains(review, unsent) {
			t.Errorf("Review shows %q, which AWS does not hold", unsent)
		}
	}
	if v, _ := clients(env).GetSecretValue(ctx, name); v.String != `{"k":"first-value"}` {
		t.Errorf("stored value = %q", v.String)
	}
}

func TestSecretWizardAppliedPolicyIsReadOnly(t *testing.T) {
	// The policy went on, rotation failed: the policy is read-only from then on,
	// and a policy added after CreateSecret (none before) is still applied.
	env := webtest.New(t)
	ctx := context.Background()
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	other := strings.Replace(policy, "GetSecretValue", "DescribeSecret", 1)

	name := webtest.Name("applied")
	extra := failingRotation()
	extra.Set("2:policy", policy)
	wantStatus(t, storeSecretWizard(t, env, name, map[string]string{"k": "v"}, extra), 422)
	r := env.Get(t, "/secrets/new/configure")
	wantContains(t, r.Body, `id="stored-policy-note"`)
	wantDisabled(t, r.Body, "f-policy")
	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", url.Values{"policy": {other}, "action": {"next"}}), "/secrets/new/rotation")
	wantRedirect(t, env.PostForm(t, "/secrets/new/rotation", url.Values{"action": {"next"}}), "/secrets/new/review")
	if strings.Contains(env.Get(t, "/secrets/new/review").Body, "DescribeSecret") {
		t.Error("Review shows a policy that is not applied")
	}
	wantRedirect(t, env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}}), view.SecretURL(name, ""))
	if got, _ := clients(env).SecretPolicy(ctx, name); !strings.Contains(got, "GetSecretValue") || strings.Contains(got, "DescribeSecret") {
		t.Errorf("AWS holds policy %s", got)
	}

	name2 := webtest.Name("added")
	wantStatus(t, storeSecretWizard(t, env, name2, map[string]string{"k": "v"}, failingRotation()), 422)
	r = env.Get(t, "/secrets/new/configure")
	if strings.Contains(r.Body, `id="stored-policy-note"`) {
		t.Error("a policy never applied is shown read-only")
	}
	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", url.Values{"policy": {other}, "action": {"next"}}), "/secrets/new/rotation")
	wantRedirect(t, env.PostForm(t, "/secrets/new/rotation", url.Values{"action": {"next"}}), "/secrets/new/review")
	wantRedirect(t, env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}}), view.SecretURL(name2, ""))
	if got, _ := clients(env).SecretPolicy(ctx, name2); !strings.Contains(got, "DescribeSecret") {
		t.Errorf("AWS holds policy %q", got)
	}
}

func TestSecretWizardCancelAfterPartialStore(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("kept")
	wantStatus(t, storeSecretWizard(t, env, name, map[string]string{"k": "v"}, failingRotation()), 422)
	r := env.PostForm(t, "/secrets/new/cancel", nil)
	wantRedirect(t, r, view.SecretURL(name, ""))
	wantContains(t, env.Follow(t, r).Body, "Secret "+name+" stays stored")
}

func TestSecretWizardCancelForgetsTheValue(t *testing.T) {
	env := webtest.New(t)
	env.PostForm(t, "/secrets/new", url.Values{"mode": {"kv"}, "action": {"next"}, "kv.0.key": {"k"}, "kv.0.value": {"forget-me"}})
	wantRedirect(t, env.PostForm(t, "/secrets/new/cancel", nil), "/secrets")
	r := env.Get(t, "/secrets/new")
	if strings.Contains(r.Body, "forget-me") {
		t.Error("cancelled wizard still holds the value")
	}
	wantRedirect(t, env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}}), "/secrets/new")
}

func newSecret(t *testing.T, env *webtest.Env, name, value string, tags ...cloud.SecretTag) cloud.SecretRef {
	t.Helper()
	ref, err := clients(env).CreateSecret(context.Background(), cloud.NewSecret{Name: name, Value: value, Description: "about " + name, Tags: tags, Token: strings.Repeat("n", 40)})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestSecretListFiltersAndPages(t *testing.T) {
	env := webtest.New(t)
	prefix := webtest.Name("list")
	for i := range 105 {
		newSecret(t, env, prefix+"/s"+strconv.Itoa(1000+i), "v", cloud.SecretTag{Key: "team", Value: prefix})
	}
	newSecret(t, env, prefix+"-other", "v", cloud.SecretTag{Key: "owner", Value: "ops"})

	r := env.Get(t, "/secrets?name="+url.QueryEscape(prefix+"/"))
	wantStatus(t, r, 200)
	if n := strings.Count(r.Body, `<a href="/secrets/`+url.PathEscape(prefix+"/")); n != 100 {
		t.Errorf("first page has %d secrets, want 100", n)
	}
	wantContains(t, r.Body, prefix+"/s1000", "about "+prefix+"/s1000", "team="+prefix, "Never", "Disabled", `id="next-page"`, "Page 1")
	if strings.Contains(r.Body, `id="prev-page"`) || strings.Contains(r.Body, prefix+"-other") {
		t.Error("first page has a Previous link or an unfiltered secret")
	}
	i := strings.Index(r.Body, `href="/secrets?`)
	next := r.Body[i+len(`href="`):]
	next = strings.ReplaceAll(next[:strings.IndexByte(next, '"')], "&amp;", "&")
	r2 := env.Get(t, next)
	wantStatus(t, r2, 200)
	wantContains(t, r2.Body, prefix+"/s1104", "Page 2", `id="prev-page"`)
	if strings.Contains(r2.Body, `id="next-page"`) || strings.Contains(r2.Body, prefix+"/s1000<") {
		t.Error("second page is wrong")
	}
	i = strings.Index(r2.Body, `id="prev-page"`)
	j := strings.LastIndex(r2.Body[:i], `href="`)
	prev := strings.ReplaceAll(r2.Body[j+6:j+6+strings.IndexByte(r2.Body[j+6:], '"')], "&amp;", "&")
	wantContains(t, env.Get(t, prev).Body, prefix+"/s1000", "Page 1")

	// Tag key and value filters; a deleted secret appears only with the toggle.
	r = env.Get(t, "/secrets?tag_key=owner&tag_value=ops&name="+url.QueryEscape(prefix))
	wantContains(t, r.Body, prefix+"-other")
	if strings.Contains(r.Body, prefix+"/s1000") {
		t.Error("tag filter ignored")
	}
	clients(env).DeleteSecret(context.Background(), prefix+"-other", 7, false)
	if strings.Contains(env.Get(t, "/secrets?name="+url.QueryEscape(prefix+"-")).Body, prefix+"-other") {
		t.Error("secret scheduled for deletion listed without the toggle")
	}
	r = env.Get(t, "/secrets?deleted=true&name="+url.QueryEscape(prefix+"-"))
	wantContains(t, r.Body, prefix+"-other", "Deletion on")

	// A filter AWS would refuse is refused here, kept, at its field.
	r = env.Get(t, "/secrets?name=a%26b")
	wantStatus(t, r, 422)
	wantContains(t, r.Body, `href="#f-name"`, `value="a&amp;b"`)
}

func TestSecretDetailRevealAndLog(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("detail") + "/app"
	ref := newSecret(t, env, name, `{"username":"AWS","password":"reveal-me-42"}`, cloud.SecretTag{Key: "team", Value: "web"})
	r := env.Get(t, view.SecretURL(name, ""))
	wantStatus(t, r, 200)
	wantContains(t, r.Body, ref.ARN, "aws/secretsmanager", "team=web", "AWSCURRENT", `data-copy="`+ref.ARN+`"`,
		`id="valuefrom-whole">`+ref.ARN, "credentialsParameter", `method="post" action="`+view.SecretURL(name, "/reveal"))
	if strings.Contains(r.Body, "reveal-me-42") {
		t.Fatal("detail page shows the value")
	}
	r = env.Get(t, view.SecretURL(name, "")+"?key=username")
	wantContains(t, r.Body, ref.ARN+":username::")
	wantStatus(t, env.Get(t, view.SecretURL(name, "")+"?key=a:b"), 422)
	wantStatus(t, env.Get(t, view.SecretURL(webtest.Name("missing"), "")), 404)
	// Retrieval is a POST only.
	wantStatus(t, env.Get(t, view.SecretURL(name, "/reveal")), http.StatusMethodNotAllowed)

	r = env.PostForm(t, view.SecretURL(name, "/reveal"), nil)
	wantStatus(t, r, 200)
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("reveal Cache-Control = %q", r.Header.Get("Cache-Control"))
	}
	wantContains(t, r.Body, "reveal-me-42", "<code>username</code>", `data-secret-toggle=`, ref.ARN+":password::")
	logs := env.Logs.String()
	if !strings.Contains(logs, `msg="secret value retrieved" who=`+env.Admin.Username+` secret=`+name) || !strings.Contains(logs, "outcome=ok") {
		t.Errorf("retrieval not logged:\n%s", logs)
	}
	if strings.Contains(logs, "reveal-me-42") {
		t.Fatal("the value is in the log")
	}
}

func TestSecretNewValueEditDeleteRestore(t *testing.T) {
	env := webtest.New(t)
	name := webtest.Name("life")
	newSecret(t, env, name, "first", cloud.SecretTag{Key: "team", Value: "web"})

	// New value: a form with a token; the old version becomes AWSPREVIOUS.
	r := env.Get(t, view.SecretURL(name, "/new-value"))
	wantStatus(t, r, 200)
	if strings.Contains(r.Body, "first") {
		t.Fatal("new value form shows the current value")
	}
	i := strings.Index(r.Body, `name="token" value="`)
	token := r.Body[i+20 : i+20+32]
	post := url.Values{"token": {token}, "mode": {"plaintext"}, "plaintext": {"second"}, "action": {"save"}}
	wantRedirect(t, env.PostForm(t, view.SecretURL(name, "/new-value"), post), view.SecretURL(name, ""))
	wantRedirect(t, env.PostForm(t, view.SecretURL(name, "/new-value"), post), view.SecretURL(name, "")) // double submit
	d, _ := clients(env).DescribeSecret(context.Background(), name)
	if len(d.Versions) != 2 || d.Versions[0].ID != token || d.Versions[1].Stages[0] != "AWSPREVIOUS" {
		t.Fatalf("versions = %+v", d.Versions)
	}
	r = env.PostForm(t, view.SecretURL(name, "/new-value"), url.Values{"token": {token}, "mode": {"plaintext"}, "plaintext": {""}, "action": {"save"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "Enter a secret value")

	// Edit: description and tags.
	r = env.Get(t, view.SecretURL(name, "/edit"))
	wantContains(t, r.Body, `value="team"`, "about "+name)
	r = env.PostForm(t, view.SecretURL(name, "/edit"), url.Values{"description": {strings.Repeat("x", 2049)}, "tags.0.key": {"team"}, "tags.0.value": {"web"}, "action": {"save"}})
	wantStatus(t, r, 422)
	wantRedirect(t, env.PostForm(t, view.SecretURL(name, "/edit"), url.Values{"description": {"new words"}, "tags.0.key": {"env"}, "tags.0.value": {"prod"}, "action": {"save"}}), view.SecretURL(name, ""))
	d, _ = clients(env).DescribeSecret(context.Background(), name)
	if d.Description != "new words" || len(d.Tags) != 1 || d.Tags[0].Key != "env" {
		t.Errorf("after edit = %+v", d)
	}

	// Delete: the waiting period's dates are offered; out of range is refused.
	r = env.Get(t, view.SecretURL(name, "/delete"))
	wantContains(t, r.Body, `<option value="30" selected>30 days: deleted on`, `<option value="7">7 days: deleted on`)
	wantStatus(t, env.PostForm(t, view.SecretURL(name, "/delete"), url.Values{"days": {"6"}}), 422)
	r = env.PostForm(t, view.SecretURL(name, "/delete"), url.Values{"days": {"7"}})
	wantRedirect(t, r, view.SecretURL(name, ""))
	page := env.Follow(t, r)
	wantContains(t, page.Body, "is scheduled for deletion on", `id="cancel-deletion"`)
	// Reading it explains the deletion.
	r = env.PostForm(t, view.SecretURL(name, "/reveal"), nil)
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r.Body, `id="reveal-deleted"`, "scheduled for deletion on")
	// Restore.
	wantRedirect(t, env.PostForm(t, view.SecretURL(name, "/restore"), nil), view.SecretURL(name, ""))
	if v, err := clients(env).GetSecretValue(context.Background(), name); err != nil || v.String != "second" {
		t.Fatalf("after restore: %q %v", v.String, err)
	}

	// Delete without recovery needs the name typed as a second confirmation.
	r = env.PostForm(t, view.SecretURL(name, "/delete"), url.Values{"days": {"30"}, "force": {"true"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, `href="#f-confirm"`, "type the secret name exactly")
	if _, err := clients(env).DescribeSecret(context.Background(), name); err != nil {
		t.Fatal("deleted without the confirmation")
	}
	wantRedirect(t, env.PostForm(t, view.SecretURL(name, "/delete"), url.Values{"force": {"true"}, "confirm": {name}}), "/secrets")
	if _, err := clients(env).DescribeSecret(context.Background(), name); !errors.Is(err, cloud.ErrSecretNotFound) {
		t.Fatalf("after force delete: %v", err)
	}
}

func TestSecretNamedNewAndPathsRoute(t *testing.T) {
	env := webtest.New(t)
	// Names are one escaped path segment: "new" does not open the wizard,
	// and a path-like name does not turn into an action.
	suffix := webtest.Name("x")
	for _, name := range []string{"new", "a/reveal/" + suffix, "prod/" + suffix + "/edit"} {
		if name == "new" {
			if _, err := clients(env).DescribeSecret(context.Background(), "new"); err == nil {
				continue // another run made it
			}
		}
		newSecret(t, env, name, "v")
		r := env.Get(t, view.SecretURL(name, ""))
		wantStatus(t, r, 200)
		wantContains(t, r.Body, `<h1 id="secret-name">`+name+`</h1>`)
	}
}

func TestSecretKMSKeyPicker(t *testing.T) {
	env := webtest.New(t)
	cli := clitest.New(t, env.EmulatorURL)
	var key struct{ KeyMetadata struct{ KeyId, Arn string } }
	cli.MustRun(t, "kms", "create-key", "--description", "secrets test").JSON(t, &key)
	alias := "alias/" + webtest.Name("team")
	cli.MustRun(t, "kms", "create-alias", "--alias-name", alias, "--target-key-id", key.KeyMetadata.KeyId)

	r := env.Get(t, "/secrets/new")
	wantContains(t, r.Body, `<option value="`+alias+`">`+strings.TrimPrefix(alias, "alias/")+" ("+key.KeyMetadata.KeyId+")</option>")
	if strings.Contains(r.Body, `value="alias/aws/secretsmanager"`) {
		t.Error("the AWS managed alias is offered twice")
	}
	name := webtest.Name("kms")
	r = storeSecretWizard(t, env, name, map[string]string{"k": "v"}, url.Values{"1:kms_key": {alias}})
	wantRedirect(t, r, view.SecretURL(name, ""))
	wantContains(t, env.Get(t, view.SecretURL(name, "")).Body, alias)

	// Edit: back to aws/secretsmanager.
	r = env.Get(t, view.SecretURL(name, "/edit"))
	wantContains(t, r.Body, `<option value="`+alias+`" selected>`)
	wantRedirect(t, env.PostForm(t, view.SecretURL(name, "/edit"), url.Values{"description": {"about " + name}, "kms_key": {""}, "action": {"save"}}), view.SecretURL(name, ""))
	if d, _ := clients(env).DescribeSecret(context.Background(), name); d.KMSKeyID != "alias/aws/secretsmanager" && d.KMSKeyID != "" {
		t.Errorf("key after edit = %q", d.KMSKeyID)
	}
}

// TestSecretPagesWhenAWSIsUnreachable: the wizard still opens, explains that
// KMS keys cannot be listed, and offers the typed key field; Store reports
// the failure at the top of the review with nothing lost — never a 500.
func TestSecretPagesWhenAWSIsUnreachable(t *testing.T) {
	env := webtest.NewWith(t, webtest.Options{Endpoint: "http://127.0.0.1:1"})

	r := env.Get(t, "/secrets/new")
	wantStatus(t, r, 200)
	wantContains(t, r.Body, `id="kms-problem"`, "could not list your KMS keys", `name="kms_key_custom"`)
	r = env.Get(t, "/secrets")
	wantStatus(t, r, http.StatusBadGateway)
	wantContains(t, r.Body, `id="list-problem"`)

	wantRedirect(t, env.PostForm(t, "/secrets/new", url.Values{"mode": {"kv"}, "action": {"next"}, "kv.0.key": {"k"}, "kv.0.value": {"v"},
		"kms_key": {"custom"}, "kms_key_custom": {"alias/typed"}}), "/secrets/new/configure")
	wantRedirect(t, env.PostForm(t, "/secrets/new/configure", url.Values{"name": {"offline"}, "action": {"next"}}), "/secrets/new/rotation")
	wantRedirect(t, env.PostForm(t, "/secrets/new/rotation", url.Values{"action": {"next"}}), "/secrets/new/review")
	r = env.PostForm(t, "/secrets/new/review", url.Values{"action": {"next"}})
	wantStatus(t, r, 422)
	wantContains(t, r.Body, "Secrets Manager did not store the secret", "Nothing was lost")
	// The value is still there for the next try.
	wantContains(t, env.Get(t, "/secrets/new").Body, `value="alias/typed"`, `name="kv.0.value" value="v"`)
}

// failingRotation turns rotation on at the wizard's step 3 with a Lambda
// function local mode does not have: RotateSecret fails after CreateSecret
// succeeded, which leaves a partly stored secret. A new map each call.
func failingRotation() url.Values {
	return url.Values{"3:rotation": {"true"}, "3:schedule": {"days"}, "3:rotation_days": {"30"},
		"3:rotation_lambda": {"arn:aws:lambda:us-east-1:000000000000:function:rotate"}}
}
