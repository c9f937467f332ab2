package emulator

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzEmulator is one emulator for a fuzz target's inputs: the fuzzer runs
// thousands of them, and what one leaves behind only widens what the next
// one meets.
func fuzzEmulator(f *testing.F) *Emulator {
	f.Helper()
	emu, err := New(Options{DataDir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { emu.Close() })
	return emu
}

// signedAs is the Authorization header of an SDK call in us-east-1 for the
// given signing name; the emulator reads its scope, not its signature.
func signedAs(service string) string {
	return "AWS4-HMAC-SHA256 Credential=fuzz/20260101/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=0"
}

// FuzzJSONOperations sends any body to any JSON operation: whatever it is,
// the answer is AWS's client error or a success, never a 5xx (which the SDK
// would retry and Berth would show as the emulator failing).
func FuzzJSONOperations(f *testing.F) {
	emu := fuzzEmulator(f)
	targets, _ := emu.router.Operations()
	seeds := []string{`{}`, `[]`, `null`, `{"repositoryName":"a"}`, `{"repositoryName":"a","imageIds":[{"imageTag":"x"}]}`,
		`{"family":"f","containerDefinitions":[{"name":"a","image":"b","memory":64}]}`,
		`{"taskDefinition":"f:1"}`, `{"clusterName":"c"}`, `{"Name":"s","SecretString":"v"}`, `{"SecretId":"s"}`,
		`{"logGroupName":"g"}`, `{"KeyId":"alias/aws/ecr"}`, `{"AliasName":"alias/x","TargetKeyId":"k"}`,
		`{"resourceArn":"arn:aws:ecr:us-east-1:000000000000:repository/a","tags":[{"Key":"k","Value":"v"}]}`}
	for i := range targets {
		for _, s := range seeds {
			f.Add(uint16(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, op uint16, body []byte) {
		target := targets[int(op)%len(targets)]
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Authorization", signedAs("fuzz"))
		w := httptest.NewRecorder()
		emu.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %q: %d %s", target, body, w.Code, w.Body)
		}
	})
}

// FuzzQueryOperations does the same for IAM's and STS's Query actions, with
// any form.
func FuzzQueryOperations(f *testing.F) {
	emu := fuzzEmulator(f)
	_, actions := emu.router.Operations()
	seeds := []string{"", "RoleName=r", "RoleName=r&AssumeRolePolicyDocument=%7B%7D",
		"RoleName=r&PolicyArn=arn:aws:iam::aws:policy/x", "RoleArn=arn:aws:iam::000000000000:role/r&RoleSessionName=s",
		"Tags.member.1.Key=k&Tags.member.1.Value=v", "MaxItems=0", "Marker=x", "DurationSeconds=-1"}
	for i := range actions {
		for _, s := range seeds {
			f.Add(uint16(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, op uint16, form string) {
		service, action, _ := strings.Cut(actions[int(op)%len(actions)], ":")
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action="+action+"&Version=x&"+form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		req.Header.Set("Authorization", signedAs(service))
		w := httptest.NewRecorder()
		emu.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s:%s %q: %d %s", service, action, form, w.Code, w.Body)
		}
	})
}
