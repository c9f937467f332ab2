package cloud_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

// assumeRoleRecorder stands between Berth and the emulator and keeps the
// form of every STS AssumeRole request that passes, as a network capture
// would show them.
type assumeRoleRecorder struct {
	mu    sync.Mutex
	calls []url.Values
}

func (a *assumeRoleRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") == "AssumeRole" {
				a.mu.Lock()
				a.calls = append(a.calls, form)
				a.mu.Unlock()
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (a *assumeRoleRecorder) all() []url.Values {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]url.Values(nil), a.calls...)
}

const operatorTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},
	"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`

func createRole(t *testing.T, cfg aws.Config, name, trust string) string {
	t.Helper()
	out, err := iam.NewFromConfig(cfg).CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Role.Arn)
}

func TestEachPersonGetsTheirOwnAssumedRoleSession(t *testing.T) {
	env := emutest.Start(t)
	roleARN := createRole(t, env.Config, "berth-operator", operatorTrust)
	rec := &assumeRoleRecorder{}
	srv := httptest.NewServer(rec.wrap(env.Emulator))
	t.Cleanup(srv.Close)
	b := cloud.New(context.Background(), cloud.Options{Endpoint: srv.URL, Region: "us-east-1", AssumeRoleARN: roleARN})
	ctx := context.Background()
	who := func(c *cloud.Clients) string {
		t.Helper()
		out, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Arn)
	}
	for _, user := range []string{"ana", "bob.smith"} {
		want := "arn:aws:sts::000000000000:assumed-role/berth-operator/berth-" + user
		for range 3 { // the credentials are cached: one AssumeRole per person
			if got := who(b.For("", user)); got != want {
				t.Errorf("%s acts as %q, want %q", user, got, want)
			}
		}
		if _, _, err := b.For("us-east-1", user).CountRepositories(ctx, ""); err != nil {
			t.Errorf("%s lists repositories: %v", user, err)
		}
		id, err := b.IdentityFor(ctx, user)
		if err != nil || id.ARN != want || id.Account != "000000000000" {
			t.Errorf("IdentityFor(%s) = %+v, %v", user, id, err)
		}
	}
	if got := who(b.In("")); got != "arn:aws:iam::000000000000:root" {
		t.Errorf("work for nobody acts as %q, want Berth's own credentials", got)
	}
	if got := who(b.For("", "")); got != "arn:aws:iam::000000000000:root" {
		t.Errorf("For with no person acts as %q", got)
	}
	if b.For("us-east-1", "ana") != b.For("", "ana") || b.For("", "ana") == b.For("", "bob.smith") || b.For("", "ana").Username != "ana" {
		t.Error("clients are not kept per person and region")
	}

	calls := rec.all()
	if len(calls) != 2 {
		t.Fatalf("%d AssumeRole calls, want one per person: %v", len(calls), calls)
	}
	for i, user := range []string{"ana", "bob.smith"} {
		c := calls[i]
		if c.Get("RoleArn") != roleARN || c.Get("SourceIdentity") != user || c.Get("RoleSessionName") != "berth-"+user || c.Get("DurationSeconds") != "3600" {
			t.Errorf("AssumeRole for %s carried %v", user, c)
		}
	}
	// Another region is another session (its own STS client and cache).
	if got := who(b.For("eu-west-1", "ana")); !strings.HasSuffix(got, ":assumed-role/berth-operator/berth-ana") {
		t.Errorf("ana in eu-west-1 acts as %q", got)
	}
	if n := len(rec.all()); n != 3 {
		t.Errorf("%d AssumeRole calls after a second region, want 3", n)
	}
}

// TestTheRoleSeesTheSourceIdentity checks with AWS's own means that the
// source identity reaches STS: a trust policy that admits only sessions
// whose sts:SourceIdentity is ana's, and the external id.
func TestTheRoleSeesTheSourceIdentity(t *testing.T) {
	env := emutest.Start(t)
	roleARN := createRole(t, env.Config, "ana-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"AWS":"000000000000"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"],
		"Condition":{"StringEquals":{"sts:SourceIdentity":"ana","sts:ExternalId":"berth-123","sts:RoleSessionName":"berth-ana"}}}]}`)
	ctx := context.Background()
	b := cloud.New(ctx, cloud.Options{Endpoint: env.URL, Region: "us-east-1", AssumeRoleARN: roleARN, ExternalID: "berth-123"})
	if id, err := b.IdentityFor(ctx, "ana"); err != nil || !strings.HasSuffix(id.ARN, ":assumed-role/ana-only/berth-ana") {
		t.Errorf("ana: %+v, %v", id, err)
	}
	_, err := b.IdentityFor(ctx, "bob")
	if cloud.ErrorCode(err) != "AccessDenied" {
		t.Fatalf("bob: %v, want AccessDenied from the trust policy", err)
	}
	problem, fix := cloud.Explain(err)
	if !strings.Contains(problem, "may not assume the configured role") || !strings.Contains(fix, "sts:SetSourceIdentity") {
		t.Errorf("Explain = %q, %q", problem, fix)
	}

	// Without the external id the role refuses ana too.
	b2 := cloud.New(ctx, cloud.Options{Endpoint: env.URL, Region: "us-east-1", AssumeRoleARN: roleARN})
	if _, err := b2.IdentityFor(ctx, "ana"); cloud.ErrorCode(err) != "AccessDenied" {
		t.Errorf("no external id: %v", err)
	}
}

func TestNoRoleMeansOwnCredentialsForEveryone(t *testing.T) {
	env := emutest.Start(t)
	b := cloud.New(context.Background(), cloud.Options{Endpoint: env.URL, Region: "us-east-1"})
	if b.For("", "ana") != b.In("") || b.For("", "ana").Username != "" {
		t.Error("without a role, a person's clients are Berth's own")
	}
	if id, err := b.IdentityFor(context.Background(), "ana"); err != nil || id.ARN != "arn:aws:iam::000000000000:root" {
		t.Errorf("IdentityFor = %+v, %v", id, err)
	}
}

func TestSessionNamesFitSTS(t *testing.T) {
	long := strings.Repeat("a", 70)
	for _, tc := range []struct{ user, source, session string }{
		{"ana", "ana", "berth-ana"},
		{"jo.doe@example.com", "jo.doe@example.com", "berth-jo.doe@example.com"},
		{"a", "a_", "berth-a"},
		{"ana maria/ops", "ana_maria_ops", "berth-ana_maria_ops"},
		{"zoë", "zo_", "berth-zo_"},
		{long, long[:64], "berth-" + long[:58]},
	} {
		if got := cloud.SourceIdentity(tc.user); got != tc.source {
			t.Errorf("SourceIdentity(%q) = %q, want %q", tc.user, got, tc.source)
		}
		if got := cloud.SessionName(tc.user); got != tc.session {
			t.Errorf("SessionName(%q) = %q, want %q", tc.user, got, tc.session)
		}
	}
}
