package secretsmanager

import (
	"crypto/rand"
	"math/big"
	"strings"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/emulator/awsapi"
)

type randomPasswordInput struct {
	PasswordLength          *int64
	ExcludeCharacters       *string
	ExcludeNumbers          *bool
	ExcludePunctuation      *bool
	ExcludeUppercase        *bool
	ExcludeLowercase        *bool
	IncludeSpace            *bool
	RequireEachIncludedType *bool
}

type randomPasswordOutput struct {
	RandomPassword string `json:"RandomPassword"`
}

func flag(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

// getRandomPassword draws every character with crypto/rand. With
// RequireEachIncludedType (the default) the password holds at least one
// character of each included type: lowercase, uppercase, digit, punctuation.
func (sv *service) getRandomPassword(c *awsapi.Context, in *randomPasswordInput) (*randomPasswordOutput, error) {
	length := int64(awsrules.SecretPasswordLengthDefault)
	if in.PasswordLength != nil {
		length = *in.PasswordLength
	}
	if length < awsrules.SecretPasswordLengthMin {
		return nil, awsapi.Errorf("ValidationException", "1 validation error detected: Value '%d' at 'passwordLength' failed to satisfy constraint: Member must have value greater than or equal to %d", length, awsrules.SecretPasswordLengthMin)
	}
	if length > awsrules.SecretPasswordLengthMax {
		return nil, awsapi.Errorf("ValidationException", "1 validation error detected: Value '%d' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to %d", length, awsrules.SecretPasswordLengthMax)
	}
	if err := checkLen("excludeCharacters", in.ExcludeCharacters, 0, 4096, true); err != nil {
		return nil, err
	}
	exclude := deref(in.ExcludeCharacters)
	keep := func(set string) string {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(exclude, r) {
				return -1
			}
			return r
		}, set)
	}
	var types []string
	if !flag(in.ExcludeLowercase, false) {
		types = append(types, keep("abcdefghijklmnopqrstuvwxyz"))
	}
	if !flag(in.ExcludeUppercase, false) {
		types = append(types, keep("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
	}
	if !flag(in.ExcludeNumbers, false) {
		types = append(types, keep("0123456789"))
	}
	if !flag(in.ExcludePunctuation, false) {
		types = append(types, keep(awsrules.SecretPunctuation))
	}
	var required []string
	pool := ""
	for _, t := range types {
		if t != "" {
			required = append(required, t)
			pool += t
		}
	}
	if flag(in.IncludeSpace, false) && !strings.Contains(exclude, " ") {
		pool += " "
	}
	if pool == "" {
		return nil, awsapi.NewError("InvalidParameterException", "The password can't be generated because all characters are excluded.")
	}
	var out []byte
	if flag(in.RequireEachIncludedType, true) {
		if int(length) < len(required) {
			return nil, awsapi.NewError("InvalidParameterException", "Password length is too short based on the required types.")
		}
		for _, t := range required {
			out = append(out, t[randBig(len(t))])
		}
	}
	for int64(len(out)) < length {
		out = append(out, pool[randBig(len(pool))])
	}
	for i := len(out) - 1; i > 0; i-- {
		j := randBig(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return &randomPasswordOutput{RandomPassword: string(out)}, nil
}

func randBig(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err)
	}
	return int(v.Int64())
}
