package awsmodel

import (
	"os"
	"strings"
	"testing"
)

func testModels(t *testing.T) models {
	t.Helper()
	ms, err := loadModels()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return ms
}

// The checks find what they are for, in both protocols.
func TestChecksFindWhatTheModelLacks(t *testing.T) {
	ms := testModels(t)
	ecr := ms.json["AmazonEC2ContainerRegistry_V20150921"]
	for _, tc := range []struct{ body, want string }{
		{`{"repository":{"repositoryName":"a","createdAt":1.5}}`, ""},
		{`{"repository":{"repositoryname":"a"}}`, `member "repositoryname" is not in Repository`},
		{`{"repository":{"repositoryName":7}}`, "float64, want a string"},
		{`{"repository":{"createdAt":"2026-01-01"}}`, "a string, want epoch seconds"},
		{`{"repository":{"imageTagMutability":"SOMETIMES"}}`, `"SOMETIMES" is not one of ImageTagMutability's values`},
		{`{"repository":null}`, "null"},
	} {
		got := strings.Join(ecr.check("CreateRepository", []byte(tc.body)), "; ")
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.body, got, tc.want)
		}
	}
	if got := ecr.checkInput("CreateRepository", []byte(`{"repositoryName":"a","scanOnPush":true}`)); len(got) != 1 {
		t.Errorf("request with a misplaced member: %q", got)
	}

	iam := ms.query["GetRole"]
	ok := `<GetRoleResponse><GetRoleResult><Role><RoleName>r</RoleName><CreateDate>2026-01-01T00:00:00Z</CreateDate>` +
		`<MaxSessionDuration>3600</MaxSessionDuration><Tags><member><Key>k</Key><Value>v</Value></member></Tags></Role></GetRoleResult>` +
		`<ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></GetRoleResponse>`
	if got := iam.checkXML("GetRole", []byte(ok)); len(got) != 0 {
		t.Errorf("a good answer: %q", got)
	}
	for _, tc := range []struct{ body, want string }{
		{strings.Replace(ok, "RoleName>", "Rolename>", 2), "element <Rolename> is not in Role"},
		{strings.Replace(ok, "3600", "an hour", 1), `"an hour" is not a whole number`},
		{strings.Replace(ok, "2026-01-01T00:00:00Z", "yesterday", 1), "is not an ISO 8601 time"},
		{strings.NewReplacer("<member>", "<item>", "</member>", "</item>").Replace(ok), "list element <item>, want <member>"},
		{strings.Replace(ok, "GetRoleResult", "GetRoleResults", 2), "no <GetRoleResult> element"},
	} {
		if got := strings.Join(iam.checkXML("GetRole", []byte(tc.body)), "; "); !strings.Contains(got, tc.want) {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}
