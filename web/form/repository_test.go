package form

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/awsrules"
)

func TestRepositoryNameProblems(t *testing.T) {
	tests := []struct {
		name string
		want []string // substrings, one per expected message, in order
	}{
		{"web-app", nil},
		{"team/web-app", nil},
		{"a.b_c__d---e/f1", nil},
		{"ab", nil},
		{"", []string{"Enter a repository name."}},
		{"a", []string{"between 2 and 256 characters (this name has 1)"}},
		{strings.Repeat("a", 257), []string{"this name has 257"}},
		{"WebApp", []string{"lowercase letters only"}},
		{"web app", []string{"Remove spaces"}},
		{"web@app!", []string{`Remove "@", "!"`}},
		{"-web", []string{"Start and end the name with a letter or digit."}},
		{"web_", []string{"Start and end the name with a letter or digit."}},
		{"team/-web", []string{"each part between slashes"}},
		{"/web", []string{"Do not start or end the name with /"}},
		{"web/", []string{"Do not start or end the name with /"}},
		{"team//web", []string{"put two / together"}},
		{"web..app", []string{"'..'"}},
		{"web___app", []string{"'___'"}},
		{"web_-app", []string{"'_-'"}},
		{"web.-app", []string{"one '.'"}},
		// Several rules at once: each gets its own message.
		{"-Web app", []string{"lowercase", "Remove spaces", "Start and end"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RepositoryNameProblems(tt.name)
			if len(got) != len(tt.want) {
				t.Fatalf("RepositoryNameProblems(%q) = %q, want %d messages", tt.name, got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("message %d = %q, want it to contain %q", i, got[i], w)
				}
			}
			if valid := awsrules.ValidRepositoryName(tt.name); valid != (len(got) == 0) {
				t.Errorf("disagrees with awsrules: valid=%v, problems=%q", valid, got)
			}
		})
	}
}

// FuzzRepositoryNameProblems keeps the plain-language messages in step with
// AWS's pattern: a name has problems exactly when AWS would refuse it.
func FuzzRepositoryNameProblems(f *testing.F) {
	for _, s := range []string{"web-app", "a", "A/b", "a//b", "a_-b", "a..b", "x/y.z", "--", "a__b", "a/-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if valid, probs := awsrules.ValidRepositoryName(name), RepositoryNameProblems(name); valid != (len(probs) == 0) {
			t.Fatalf("%q: valid=%v problems=%q", name, valid, probs)
		}
	})
}

func TestDecodeRepositoryKeepsInput(t *testing.T) {
	v := url.Values{
		"name": {"  team/app "}, "tagMutability": {"IMMUTABLE_WITH_EXCLUSION"},
		"exclusions.0": {"latest"}, "exclusions.1": {""}, "exclusions.2": {" dev-* "},
		"scanOnPush": {"true"}, "encryption": {"KMS"}, "kmsKey": {"custom"}, "kmsKeyArn": {"alias/mine"},
		"tags.0.key": {"team"}, "tags.0.value": {"web"}, "tags.1.key": {""}, "tags.1.value": {""},
	}
	f := DecodeRepository(v)
	if f.Name != "team/app" || f.TagMutability != "IMMUTABLE_WITH_EXCLUSION" || fmt.Sprint(f.ExclusionFilters) != "[latest dev-*]" ||
		!f.ScanOnPush || f.Encryption != "KMS" || f.KMSKeyValue() != "alias/mine" || len(f.Tags) != 1 {
		t.Errorf("decoded %+v", f)
	}
	if errs := f.Validate(); errs.Any() {
		t.Errorf("valid form has problems: %v", errs.All())
	}
	d := DecodeRepository(url.Values{"name": {"x1"}})
	if d.TagMutability != awsrules.TagMutable || d.Encryption != awsrules.ECREncryptionAES256 || d.ScanOnPush || d.KMSKeyValue() != "" {
		t.Errorf("defaults %+v", d)
	}
	typed := DecodeRepository(url.Values{"name": {"x1"}, "encryption": {"KMS"}, "kmsKey": {KMSKeyTyped}})
	if typed.KMSKeyValue() != "" || typed.Validate().Any() {
		t.Errorf("typed key left empty must mean aws/ecr: %+v %v", typed, typed.Validate().All())
	}
	typed = DecodeRepository(url.Values{"name": {"x1"}, "encryption": {"KMS"}, "kmsKey": {KMSKeyTyped}, "kmsKeyArn": {"no way"}})
	if !typed.Validate().Has(RepoKMSKeyARN) {
		t.Errorf("typed garbage key accepted")
	}
	aes := DecodeRepository(url.Values{"name": {"x1"}, "encryption": {"AES256"}, "kmsKey": {"custom"}, "kmsKeyArn": {"zzz"}})
	if aes.KMSKeyValue() != "" || aes.Validate().Any() {
		t.Errorf("AES-256 must ignore the key fields: %+v %v", aes, aes.Validate().All())
	}
}

func TestRepositoryValidate(t *testing.T) {
	base := func() Repository {
		return Repository{Name: "app1", RepositorySettings: RepositorySettings{TagMutability: "MUTABLE"}, Encryption: "AES256"}
	}
	tests := []struct {
		name  string
		edit  func(*Repository)
		field string
		want  string
	}{
		{"unknown mutability", func(r *Repository) { r.TagMutability = "SOMETIMES" }, "tagMutability", "Choose one"},
		{"exclusions needed", func(r *Repository) { r.TagMutability = "IMMUTABLE_WITH_EXCLUSION" }, "exclusions.0", "at least one exclusion filter"},
		{"exclusions not allowed", func(r *Repository) { r.ExclusionFilters = []string{"x"} }, "exclusions.0", "only apply"},
		{"bad filter", func(r *Repository) {
			r.TagMutability, r.ExclusionFilters = "MUTABLE_WITH_EXCLUSION", []string{"ok", "no spaces"}
		}, "exclusions.1", "1 to 128 letters"},
		{"filter too long", func(r *Repository) {
			r.TagMutability, r.ExclusionFilters = "MUTABLE_WITH_EXCLUSION", []string{strings.Repeat("a", 129)}
		}, "exclusions.0", "1 to 128"},
		{"six filters", func(r *Repository) {
			r.TagMutability, r.ExclusionFilters = "IMMUTABLE_WITH_EXCLUSION", []string{"a", "b", "c", "d", "e", "f"}
		}, "exclusions.4", "at most 5"},
		{"duplicate filter", func(r *Repository) {
			r.TagMutability, r.ExclusionFilters = "IMMUTABLE_WITH_EXCLUSION", []string{"a*", "a*"}
		}, "exclusions.1", "twice"},
		{"unknown encryption", func(r *Repository) { r.Encryption = "ROT13" }, "encryption", "AES-256 or AWS KMS"},
		{"custom key empty", func(r *Repository) { r.Encryption, r.KMSKey = "KMS", KMSKeyCustom }, "kmsKeyArn", "Enter the ARN"},
		{"custom key garbage", func(r *Repository) { r.Encryption, r.KMSKey, r.KMSKeyARN = "KMS", KMSKeyCustom, "not a key!" }, "kmsKeyArn", "KMS key ARN"},
		{"tag without key", func(r *Repository) { r.Tags = []KeyValue{{Key: "", Value: "v"}} }, "tags.0.key", "Enter a key"},
		{"tag key too long", func(r *Repository) { r.Tags = []KeyValue{{Key: strings.Repeat("k", 129)}} }, "tags.0.key", "1 to 128"},
		{"tag value too long", func(r *Repository) { r.Tags = []KeyValue{{Key: "k", Value: strings.Repeat("v", 257)}} }, "tags.0.value", "at most 256"},
		{"reserved tag", func(r *Repository) { r.Tags = []KeyValue{{Key: "aws:x"}} }, "tags.0.key", "reserved"},
		{"duplicate tag", func(r *Repository) { r.Tags = []KeyValue{{Key: "a"}, {Key: "a"}} }, "tags.1.key", "used twice"},
		{"51 tags", func(r *Repository) {
			for i := range 51 {
				r.Tags = append(r.Tags, KeyValue{Key: fmt.Sprint("k", i)})
			}
		}, "tags", "at most 50"},
		{"bad name", func(r *Repository) { r.Name = "Bad" }, "name", "lowercase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			tt.edit(&f)
			errs := f.Validate()
			msgs := errs.For(tt.field)
			if len(msgs) == 0 || !strings.Contains(strings.Join(msgs, "|"), tt.want) {
				t.Errorf("errors for %s = %q (all: %v), want %q", tt.field, msgs, errs.All(), tt.want)
			}
		})
	}
	ok := base()
	ok.TagMutability, ok.ExclusionFilters = "MUTABLE_WITH_EXCLUSION", []string{"latest", "release-*", "v1.*_x"}
	ok.Encryption, ok.KMSKey = "KMS", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for i := range 50 {
		ok.Tags = append(ok.Tags, KeyValue{Key: fmt.Sprint("k", i), Value: strings.Repeat("v", 256)})
	}
	if errs := ok.Validate(); errs.Any() {
		t.Errorf("valid form has problems: %v", errs.All())
	}
}

func TestPolicyProblems(t *testing.T) {
	goodLife := `{"rules":[{"rulePriority":1,"description":"keep ten","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}`
	tests := []struct {
		name, text string
		check      func(string) []string
		want       string
	}{
		{"empty policy", " ", RepositoryPolicyProblems, "Enter a policy"},
		{"policy syntax", "{\n  \"Statement\": [,]\n}", RepositoryPolicyProblems, "line 2, column"},
		{"policy not object", `[1]`, RepositoryPolicyProblems, "JSON object"},
		{"policy no statements", `{"Version":"2012-10-17","Statement":[]}`, RepositoryPolicyProblems, "at least one statement"},
		{"policy too long", `{"Statement":[{"Sid":"` + strings.Repeat("a", 10240) + `"}]}`, RepositoryPolicyProblems, "at most 10240"},
		{"good policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}`, RepositoryPolicyProblems, ""},
		{"lifecycle too short", `{"rules":[]}`, LifecyclePolicyProblems, "between 100 and 30720"},
		{"lifecycle syntax", strings.Replace(goodLife, `"action"`, `action`, 1), LifecyclePolicyProblems, "not valid JSON"},
		{"lifecycle grammar", strings.Replace(goodLife, `"any"`, `"some"`, 1), LifecyclePolicyProblems, "tagStatus must be"},
		{"good lifecycle", goodLife, LifecyclePolicyProblems, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.check(tt.text)
			if tt.want == "" {
				if len(got) > 0 {
					t.Errorf("problems %q", got)
				}
				return
			}
			if len(got) == 0 || !strings.Contains(got[0], tt.want) {
				t.Errorf("problems %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDeleteRepositoryValidate(t *testing.T) {
	d := DecodeDeleteRepository(url.Values{"confirm": {"team/app"}})
	if d.Validate("team/app", false).Any() {
		t.Error("matching name refused")
	}
	if errs := d.Validate("team/app", true); !errs.Has(DeleteForce) {
		t.Error("repository with images deleted without choosing to delete images")
	}
	if errs := DecodeDeleteRepository(url.Values{"confirm": {"team"}, "force": {"true"}}).Validate("team/app", true); !errs.Has(DeleteConfirm) || errs.Has(DeleteForce) {
		t.Errorf("wrong name: %v", errs.All())
	}
}
