package secretsmanager

import (
	"fmt"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/emulator/awsapi"
)

// Rotation in the emulator.
//
// RotateSecret configures rotation and starts it by invoking the rotation
// function; AWS checks that it can invoke the function when the ARN is added
// ("When you add a Lambda rotation function ARN to your secret, Secrets
// Manager checks the permissions of the function", user guide), and a
// function that does not exist is refused then, with the secret left as it
// was. The emulator has no Lambda, so no function exists: RotateSecret runs
// every check AWS runs before that point, then answers as AWS does for a
// missing function. Rotation is therefore never turned on locally, no
// version is created and no value changes; DescribeSecret and ListSecrets
// keep omitting the rotation fields, as for a secret never configured.

// AWS's texts. msgNoRotationFunction and msgRotationInProgress were seen from
// real accounts; msgNoSuchFunction is the text other emulators answer, in
// line with the user guide's "you get a 'Lambda does not exist' error".
const (
	msgNoRotationFunction = "No Lambda rotation function ARN is associated with this secret."
	msgRotationInProgress = "A previous rotation isn't complete. That rotation will be reattempted."
	msgNoSuchFunction     = "Lambda does not exist or could not be accessed"
	msgBothScheduleKinds  = "You cannot specify both rotation frequency and schedule expression together."
)

type rotationRules struct {
	AutomaticallyAfterDays *int64  `json:"AutomaticallyAfterDays,omitempty"`
	Duration               *string `json:"Duration,omitempty"`
	ScheduleExpression     *string `json:"ScheduleExpression,omitempty"`
}

type rotateSecretInput struct {
	SecretId           *string
	ClientRequestToken *string
	RotationLambdaARN  *string
	RotationRules      *rotationRules
	RotateImmediately  *bool
}

type rotateSecretOutput struct {
	ARN       string  `json:"ARN"`
	Name      string  `json:"Name"`
	VersionId *string `json:"VersionId,omitempty"`
}

// checkRules validates RotationRules: the model's constraints first (as
// ValidationException), then the service's own schedule rules.
func checkRules(r *rotationRules) error {
	if r == nil {
		return nil
	}
	if d := r.AutomaticallyAfterDays; d != nil {
		if *d < awsrules.SecretRotationDaysMin {
			return awsapi.Errorf("ValidationException", "1 validation error detected: Value '%d' at 'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have value greater than or equal to %d", *d, awsrules.SecretRotationDaysMin)
		}
		if *d > awsrules.SecretRotationDaysMax {
			return awsapi.Errorf("ValidationException", "1 validation error detected: Value '%d' at 'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have value less than or equal to %d", *d, awsrules.SecretRotationDaysMax)
		}
	}
	if err := checkLen("rotationRules.duration", r.Duration, awsrules.SecretRotationDurationMinLength, awsrules.SecretRotationDurationMaxLength, true); err != nil {
		return err
	}
	if r.Duration != nil && !awsrules.SecretRotationDurationPattern.MatchString(*r.Duration) {
		return awsapi.Errorf("ValidationException", "1 validation error detected: Value '%s' at 'rotationRules.duration' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+h", *r.Duration)
	}
	if err := checkLen("rotationRules.scheduleExpression", r.ScheduleExpression, 1, awsrules.SecretScheduleExpressionMaxLength, true); err != nil {
		return err
	}
	if r.ScheduleExpression != nil && !awsrules.SecretScheduleExpressionPattern.MatchString(*r.ScheduleExpression) {
		return awsapi.Errorf("ValidationException", "1 validation error detected: Value '%s' at 'rotationRules.scheduleExpression' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", *r.ScheduleExpression, awsrules.SecretScheduleExpressionPatternText)
	}
	rules := awsrules.SecretRotationRules{
		ScheduleExpression: deref(r.ScheduleExpression),
		Duration:           deref(r.Duration),
	}
	if r.AutomaticallyAfterDays != nil {
		rules.AutomaticallyAfterDays = *r.AutomaticallyAfterDays
	}
	if awsrules.RotationBothScheduleKinds(rules) {
		return awsapi.NewError("InvalidParameterException", msgBothScheduleKinds)
	}
	if rules.AutomaticallyAfterDays == 0 && rules.ScheduleExpression == "" && rules.Duration == "" {
		return nil // empty rules: the stored ones (none locally) apply
	}
	if p := awsrules.SecretRotationRulesProblems(rules); len(p) > 0 {
		// AWS's texts for these are not known; the plain-language problem
		// says what is wrong.
		return awsapi.NewError("InvalidParameterException", fmt.Sprintf("Invalid RotationRules: %s.", p[0]))
	}
	return nil
}

// rotateSecret runs RotateSecret's checks (parameters, secret, function) and, since the
// emulator has no Lambda, ends with the missing-function error; it never
// changes the secret.
func (sv *service) rotateSecret(c *awsapi.Context, in *rotateSecretInput) (*rotateSecretOutput, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	if err := checkToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	if err := checkLen("rotationLambdaARN", in.RotationLambdaARN, 0, awsrules.SecretRotationLambdaARNMaxLength, true); err != nil {
		return nil, err
	}
	if err := checkRules(in.RotationRules); err != nil {
		return nil, err
	}
	q := sv.db.Read()
	s, err := sv.find(c, q, *in.SecretId)
	if err != nil {
		return nil, err
	}
	if s.deleted != nil {
		return nil, awsapi.NewError("InvalidRequestException", msgMarkedDeleted)
	}
	// No rotation function is ever stored locally (see above), so one must
	// come with the call.
	if deref(in.RotationLambdaARN) == "" {
		return nil, awsapi.NewError("InvalidRequestException", msgNoRotationFunction)
	}
	if err := sv.loadVersions(c, q, s); err != nil {
		return nil, err
	}
	if p := s.withStage(awsrules.StagePending); p != nil && !p.has(awsrules.StageCurrent) {
		return nil, awsapi.NewError("InvalidRequestException", msgRotationInProgress)
	}
	// Whatever the ARN, no such function exists here.
	return nil, awsapi.NewError("ResourceNotFoundException", msgNoSuchFunction)
}

type cancelRotateOutput struct {
	ARN       string  `json:"ARN"`
	Name      string  `json:"Name"`
	VersionId *string `json:"VersionId,omitempty"`
}

// cancelRotateSecret turns rotation off. Locally rotation is never on, so
// nothing changes; like AWS it reports the version an unfinished rotation
// left with AWSPENDING (one that is not also AWSCURRENT), which the caller
// should clean up before rotating again.
func (sv *service) cancelRotateSecret(c *awsapi.Context, in *secretIDInput) (*cancelRotateOutput, error) {
	if err := checkSecretID(in.SecretId); err != nil {
		return nil, err
	}
	q := sv.db.Read()
	s, err := sv.findLive(c, q, *in.SecretId)
	if err != nil {
		return nil, err
	}
	out := &cancelRotateOutput{ARN: s.arn, Name: s.name}
	if p := s.withStage(awsrules.StagePending); p != nil && !p.has(awsrules.StageCurrent) {
		out.VersionId = &p.id
	}
	return out, nil
}
