package web_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/berthhq/berth/internal/emulator/emutest"
	"github.com/berthhq/berth/web/webtest"
)

// awsWire sits between Berth and the emulator like a network capture: it
// notes the access key and operation of every AWS request, and which
// assumed-role session each temporary key AssumeRole handed out belongs to.
type awsWire struct {
	mu       sync.Mutex
	calls    []wireCall
	sessions map[string]string // access key id -> assumed-role ARN
}

type wireCall struct{ key, op string }

func newAWSWire(t *testing.T, target string) (*awsWire, string) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	w := &awsWire{sessions: map[string]string{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Header.Get("X-Berth-Test-Op") != "AssumeRole" || resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		var out struct {
			Result struct {
				AccessKeyID string `xml:"Credentials>AccessKeyId"`
				ARN         string `xml:"AssumedRoleUser>Arn"`
			} `xml:"AssumeRoleResult"`
		}
		if err := xml.Unmarshal(body, &out); err != nil {
			return err
		}
		w.mu.Lock()
		w.sessions[out.Result.AccessKeyID] = out.Result.ARN
		w.mu.Unlock()
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		op := r.Header.Get("X-Amz-Target")
		if op == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			form, _ := url.ParseQuery(string(body))
			op = form.Get("Action")
		}
		r.Header.Set("X-Berth-Test-Op", op)
		key := ""
		if _, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
			key, _, _ = strings.Cut(cred, "/")
		}
		w.mu.Lock()
		w.calls = append(w.calls, wireCall{key, op})
		w.mu.Unlock()
		proxy.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	return w, srv.URL
}

// since returns the calls after the first n, each with the assumed-role
// ARN its key belongs to ("" for Berth's own key).
func (w *awsWire) since(n int) (ops, principals []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.calls[n:] {
		ops = append(ops, c.op)
		principals = append(principals, w.sessions[c.key])
	}
	return ops, principals
}

func (w *awsWire) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.calls)
}

func TestAPersonsPagesCallAWSInTheirOwnRoleSession(t *testing.T) {
	first := webtest.NewWith(t, webtest.Options{NoSignIn: true})
	role := webtest.Name("berth-operator")
	out, err := iam.NewFromConfig(emutest.Config(first.EmulatorURL, "us-east-1")).CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String(role),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	wire, endpoint := newAWSWire(t, first.EmulatorURL)
	env := webtest.NewWith(t, webtest.Options{Endpoint: endpoint, AssumeRoleARN: aws.ToString(out.Role.Arn), NoSignIn: true})

	// Signed out: the sign-in page calls AWS as nobody.
	before := wire.count()
	if r := env.Get(t, "/sign-in"); r.StatusCode != http.StatusOK {
		t.Fatalf("sign-in page: %d", r.StatusCode)
	}
	if _, principals := wire.since(before); strings.Join(principals, "") != "" {
		t.Errorf("the sign-in page acted as %v", principals)
	}

	for _, tc := range []struct{ role, path string }{{"admin", "/repositories"}, {"viewer", "/secrets"}, {"editor", "/"}} {
		person := env.SignIn(t, tc.role)
		want := "arn:aws:sts::000000000000:assumed-role/" + role + "/berth-" + person.Username
		before := wire.count()
		r := env.Get(t, tc.path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d\n%s", tc.role, tc.path, r.StatusCode, r.Body)
		}
		ops, principals := wire.since(before)
		made := 0
		for i, op := range ops {
			if op == "AssumeRole" {
				// Berth's own credentials ask for the person's session.
				if principals[i] != "" {
					t.Errorf("AssumeRole signed by %s", principals[i])
				}
				continue
			}
			made++
			if principals[i] != want {
				t.Errorf("%s's %s page called %s as %q, want %q", person.Username, tc.path, op, principals[i], want)
			}
		}
		if made == 0 {
			t.Errorf("%s's %s page made no AWS call", person.Username, tc.path)
		}
		if !strings.Contains(r.Body, `title="`+want+`"`) || !strings.Contains(r.Body, role+"/berth-"+person.Username+"</strong>") {
			t.Errorf("the header does not show the role session %s", want)
		}
	}
}
