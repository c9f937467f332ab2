package awsapi

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
)

type echoIn struct {
	Name string `json:"name"`
}
type echoOut struct {
	Name    string `json:"name"`
	Region  string `json:"region"`
	Account string `json:"account"`
	At      Time   `json:"at"`
}

func testRouter() *Router {
	r := NewRouter("123456789012", nil)
	r.AddJSON(&JSONService{TargetPrefix: "Svc_1", Ops: map[string]JSONOp{
		"Echo": Op(func(c *Context, in *echoIn) (*echoOut, error) {
			if in.Name == "" {
				return nil, NewError("InvalidParameterException", "name is required")
			}
			return &echoOut{Name: in.Name, Region: c.Region, Account: c.Account}, nil
		}),
	}})
	r.AddJSON(&JSONService{TargetPrefix: "capital", MessageKey: "Message", Ops: map[string]JSONOp{
		"Fail": func(*Context, []byte) (any, error) { return nil, NewError("ResourceNotFoundException", "gone") },
	}})
	r.AddQuery(&QueryService{Name: "sts", XMLNS: "https://sts.amazonaws.com/doc/2011-06-15/", Ops: map[string]QueryOp{
		"Who": func(c *Context, f url.Values) (any, error) {
			if f.Get("Fail") != "" {
				return nil, StatusError(404, "NoSuchEntity", "nope")
			}
			return struct {
				Account string `xml:"Account"`
			}{c.Account}, nil
		},
	}})
	return r
}

// signed is an Authorization header as an SDK in us-east-1 sends it; the
// router reads its credential scope and does not check the signature.
const signed = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/svc/aws4_request, SignedHeaders=host, Signature=abc"

func post(t *testing.T, h http.Handler, target, body, auth string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestJSONRegionFromCredentialScopeAndRequestID(t *testing.T) {
	auth := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-2/svc/aws4_request, SignedHeaders=host, Signature=abc"
	w := post(t, testRouter(), "Svc_1.Echo", `{"name":"x"}`, auth)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	if out["region"] != "eu-west-2" || out["account"] != "123456789012" {
		t.Errorf("out = %v", out)
	}
	if w.Header().Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId")
	}
	noRegion := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101//svc/aws4_request, SignedHeaders=host, Signature=abc"
	if w := post(t, testRouter(), "Svc_1.Echo", `{"name":"x"}`, noRegion); !strings.Contains(w.Body.String(), `"us-east-1"`) {
		t.Errorf("request without a region: %s", w.Body)
	}
}

// TestUnsignedCallsAreRefused: every AWS API reference lists
// MissingAuthenticationToken (403) among its common errors; a call with
// neither an Authorization header nor a presigned credential gets it, in the
// protocol's own error shape, before any operation runs.
func TestUnsignedCallsAreRefused(t *testing.T) {
	r := testRouter()
	w := post(t, r, "Svc_1.Echo", `{"name":"x"}`, "")
	var body map[string]string
	json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != 403 || w.Header().Get("X-Amzn-ErrorType") != "MissingAuthenticationToken" ||
		body["__type"] != "MissingAuthenticationToken" || !strings.HasPrefix(body["message"], "The request must contain") ||
		w.Header().Get("x-amzn-RequestId") == "" {
		t.Errorf("unsigned JSON call: %d %v %s", w.Code, w.Header(), w.Body)
	}
	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=Who")),
		httptest.NewRequest(http.MethodGet, "/?Action=Who", nil),
	} {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != 403 || !strings.Contains(w.Body.String(), "<Code>MissingAuthenticationToken</Code>") ||
			strings.Contains(w.Body.String(), "<Account>") {
			t.Errorf("unsigned %s query call: %d %s", req.Method, w.Code, w.Body)
		}
	}
}

func TestJSONErrorShapes(t *testing.T) {
	for _, tc := range []struct {
		target, body, code, key string
		status                  int
	}{
		{"Svc_1.Echo", `{}`, "InvalidParameterException", "message", 400},
		{"Svc_1.Echo", `{"name":`, "SerializationException", "message", 400},
		{"Svc_1.Nope", `{}`, "UnknownOperationException", "message", 400},
		{"capital.Fail", `{}`, "ResourceNotFoundException", "Message", 400},
	} {
		w := post(t, testRouter(), tc.target, tc.body, signed)
		if w.Code != tc.status || w.Header().Get("X-Amzn-ErrorType") != tc.code {
			t.Errorf("%s: %d %q", tc.target, w.Code, w.Header().Get("X-Amzn-ErrorType"))
		}
		var body map[string]string
		json.Unmarshal(w.Body.Bytes(), &body)
		if body["__type"] != tc.code || body[tc.key] == "" {
			t.Errorf("%s: body %s", tc.target, w.Body)
		}
	}
}

func TestQueryResponseAndErrorResponse(t *testing.T) {
	send := func(form string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x")
		w := httptest.NewRecorder()
		testRouter().ServeHTTP(w, req)
		return w
	}
	w := send("Action=Who&Version=2011-06-15")
	var ok struct {
		XMLName xml.Name
		Result  struct{ Account string }   `xml:"WhoResult"`
		Meta    struct{ RequestId string } `xml:"ResponseMetadata"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &ok); err != nil || ok.XMLName.Local != "WhoResponse" || ok.Result.Account != "123456789012" || ok.Meta.RequestId == "" {
		t.Errorf("query response: %v %s", err, w.Body)
	}
	w = send("Action=Who&Fail=1")
	var e struct {
		Error struct{ Type, Code, Message string }
	}
	body, _ := io.ReadAll(w.Body)
	if err := xml.Unmarshal(body, &e); err != nil || w.Code != 404 || e.Error.Code != "NoSuchEntity" || e.Error.Type != "Sender" {
		t.Errorf("query error: %d %s", w.Code, body)
	}
	if w := send("Action=Nope"); w.Code != 400 || !strings.Contains(w.Body.String(), "InvalidAction") {
		t.Errorf("unknown action: %d %s", w.Code, w.Body)
	}
}

func TestTimeAndTokens(t *testing.T) {
	var tm Time
	if err := json.Unmarshal([]byte("1700000000.123"), &tm); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(tm)
	if string(b) != "1700000000.123" {
		t.Errorf("time round trip = %s", b)
	}
	key, ok := DecodeToken(EncodeToken("repo/a"))
	if !ok || key != "repo/a" {
		t.Errorf("token round trip = %q %v", key, ok)
	}
	if _, ok := DecodeToken("garbage"); ok {
		t.Error("foreign token accepted")
	}
}

func TestFormList(t *testing.T) {
	f := url.Values{"Tags.member.1.Key": {"a"}, "Tags.member.1.Value": {"1"}, "Tags.member.2.Key": {"b"}, "Tags.member.4.Key": {"d"}}
	got := FormList(f, "Tags.member")
	if len(got) != 2 || got[0].Get("Key") != "a" || got[0].Get("Value") != "1" || got[1].Get("Key") != "b" {
		t.Errorf("FormList = %v", got)
	}
}

func TestContextCarriesAccessKeyAndToken(t *testing.T) {
	var got *Context
	r := NewRouter("123456789012", nil)
	r.AddQuery(&QueryService{Name: "sts", Ops: map[string]QueryOp{
		"Who": func(c *Context, _ url.Values) (any, error) { got = c; return nil, nil },
	}})
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=Who"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE123/20240101/eu-west-1/sts/aws4_request, SignedHeaders=host, Signature=abc")
	req.Header.Set("X-Amz-Security-Token", "tok")
	r.ServeHTTP(httptest.NewRecorder(), req)
	if got == nil || got.AccessKeyID != "ASIAEXAMPLE123" || got.SessionToken != "tok" || got.Region != "eu-west-1" {
		t.Fatalf("context = %+v", got)
	}

	req = httptest.NewRequest(http.MethodGet, "/?Action=Who&X-Amz-Credential="+url.QueryEscape("AKIDQUERY/20240101/us-west-2/sts/aws4_request"), nil)
	r.ServeHTTP(httptest.NewRecorder(), req)
	if got.AccessKeyID != "AKIDQUERY" || got.Region != "us-west-2" {
		t.Fatalf("presigned context = %+v", got)
	}

}

func TestRawJSONIsWrittenAsIs(t *testing.T) {
	r := NewRouter("123456789012", nil)
	r.AddJSON(&JSONService{TargetPrefix: "Svc_1", Ops: map[string]JSONOp{
		"Raw": Op(func(*Context, *echoIn) (*RawJSON, error) {
			b := RawJSON(`{"items":[{"a":1}, {"b":"x"}]}`)
			return &b, nil
		}),
		"Plain": func(*Context, []byte) (any, error) { return RawJSON(`{"n":2}`), nil },
	}})
	if w := post(t, r, "Svc_1.Raw", `{}`, signed); w.Code != 200 || w.Body.String() != `{"items":[{"a":1}, {"b":"x"}]}` ||
		w.Header().Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("Raw: %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if w := post(t, r, "Svc_1.Plain", `{}`, signed); w.Code != 200 || w.Body.String() != `{"n":2}` {
		t.Errorf("Plain: %d %q", w.Code, w.Body)
	}
}

func TestRequestIDsAreVersion4UUIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newRequestID()
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || seen[id] {
			t.Fatalf("request id %q: %v, version %d, variant %v, repeated %v", id, err, u.Version(), u.Variant(), seen[id])
		}
		seen[id] = true
	}
}
