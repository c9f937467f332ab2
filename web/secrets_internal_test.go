package web

import (
	"strconv"
	"testing"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/form"
)

// TestWizardSecretTags: only the registry credentials type gets the tag, and
// never over the person's own tag of that key or past the tag limit.
func TestWizardSecretTags(t *testing.T) {
	full := make([]form.KeyValue, awsrules.SecretTagsMax)
	for i := range full {
		full[i] = form.KeyValue{Key: "k" + strconv.Itoa(i), Value: "v"}
	}
	for _, c := range []struct {
		name   string
		preset string
		rows   []form.KeyValue
		want   string // the value of the registry tag key; "" for none
		length int
	}{
		{"registry", form.SecretPresetRegistry, []form.KeyValue{{Key: "team", Value: "web"}}, cloud.RegistryCredentialsTagValue, 2},
		{"other type", form.SecretPresetOther, []form.KeyValue{{Key: "team", Value: "web"}}, "", 1},
		{"the person's own value", form.SecretPresetRegistry, []form.KeyValue{{Key: cloud.RegistryCredentialsTagKey, Value: "mine"}}, "mine", 1},
		{"no tag left", form.SecretPresetRegistry, full, "", awsrules.SecretTagsMax},
	} {
		tags := wizardSecretTags(c.preset, c.rows)
		got := ""
		for _, tg := range tags {
			if tg.Key == cloud.RegistryCredentialsTagKey {
				got = tg.Value
			}
		}
		if got != c.want || len(tags) != c.length {
			t.Errorf("%s: %+v", c.name, tags)
		}
	}
}
