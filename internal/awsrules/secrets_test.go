package awsrules

import (
	"strings"
	"testing"
)

func TestSecretNameProblems(t *testing.T) {
	cases := []struct {
		name  string
		ok    bool
		warns bool
	}{
		{"prod/db", true, false},
		{"Valid/_+=.@-Name", true, false},
		{strings.Repeat("a", 512), true, false},
		{"", false, false},
		{strings.Repeat("a", 513), false, false},
		{"has space", false, false},
		{"star*", false, false},
		{"bang!", false, false},
		{"né", false, false},
		// AWS accepts these but advises against them.
		{"db-a1b2c3", true, true},
		{"Invalid/_+=.@-Name-a1b2c3", true, true},
		{"db-a1b2c", true, false},
		{"-abcdef", true, true},
		{"abcdef", true, false},
	}
	for _, tc := range cases {
		p := SecretNameProblems(tc.name)
		if (len(p) == 0) != tc.ok || ValidSecretName(tc.name) != tc.ok {
			t.Errorf("%q: problems %v, valid %v; want ok=%v", tc.name, p, ValidSecretName(tc.name), tc.ok)
		}
		if w := SecretNameWarnings(tc.name); (len(w) > 0) != tc.warns {
			t.Errorf("%q: warnings %v, want warning=%v", tc.name, w, tc.warns)
		}
	}
}

func TestSecretDescriptionAndValue(t *testing.T) {
	for _, tc := range []struct {
		desc string
		ok   bool
	}{{"", true}, {strings.Repeat("d", 2048), true}, {strings.Repeat("é", 2048), true}, {strings.Repeat("d", 2049), false}} {
		if got := len(SecretDescriptionProblems(tc.desc)) == 0; got != tc.ok {
			t.Errorf("description of %d characters: ok=%v, want %v", len([]rune(tc.desc)), got, tc.ok)
		}
	}
	for _, tc := range []struct {
		size int
		ok   bool
	}{{0, false}, {1, true}, {65536, true}, {65537, false}} {
		if got := len(SecretValueProblems(tc.size)) == 0; got != tc.ok {
			t.Errorf("value of %d bytes: ok=%v, want %v", tc.size, got, tc.ok)
		}
	}
}

func TestRecoveryWindow(t *testing.T) {
	for days, ok := range map[int64]bool{0: false, 3: false, 6: false, 7: true, 15: true, 30: true, 31: false, -7: false} {
		if ValidRecoveryWindow(days) != ok || (len(RecoveryWindowProblems(days)) == 0) != ok {
			t.Errorf("%d days: want ok=%v", days, ok)
		}
	}
}

func TestSecretPunctuation(t *testing.T) {
	if len(SecretPunctuation) != 32 {
		t.Fatalf("punctuation has %d characters, want 32", len(SecretPunctuation))
	}
	for _, r := range SecretPunctuation {
		if r < '!' || r > '~' || (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') {
			t.Errorf("%q is not ASCII punctuation", r)
		}
	}
}

func TestSecretRotationRulesProblems(t *testing.T) {
	cases := []struct {
		r  SecretRotationRules
		ok bool
	}{
		{SecretRotationRules{AutomaticallyAfterDays: 1}, true},
		{SecretRotationRules{AutomaticallyAfterDays: 1000}, true},
		{SecretRotationRules{AutomaticallyAfterDays: 1001}, false},
		{SecretRotationRules{AutomaticallyAfterDays: -1}, false},
		{SecretRotationRules{AutomaticallyAfterDays: 30, Duration: "3h"}, true},
		{SecretRotationRules{}, false},
		{SecretRotationRules{Duration: "3h"}, false},
		{SecretRotationRules{AutomaticallyAfterDays: 7, ScheduleExpression: "rate(7 days)"}, false},
		{SecretRotationRules{ScheduleExpression: "rate(4 hours)"}, true},
		{SecretRotationRules{ScheduleExpression: "rate(3 hours)"}, false},
		{SecretRotationRules{ScheduleExpression: "rate(12 hours)", Duration: "12h"}, true},
		{SecretRotationRules{ScheduleExpression: "rate(12 hours)", Duration: "13h"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 0/6 * * ? *)", Duration: "7h"}, false},
		{SecretRotationRules{ScheduleExpression: "rate(1 day)"}, true},
		{SecretRotationRules{ScheduleExpression: "rate(999 days)", Duration: "24h"}, true},
		{SecretRotationRules{ScheduleExpression: "rate(1000 days)"}, false},
		{SecretRotationRules{ScheduleExpression: "rate(0 days)"}, false},
		{SecretRotationRules{ScheduleExpression: "rate(10 minutes)"}, false},
		{SecretRotationRules{ScheduleExpression: "rate(10days)"}, false},
		{SecretRotationRules{ScheduleExpression: "every day"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 16 L * ? *)"}, true},
		{SecretRotationRules{ScheduleExpression: "cron(0 0 ? * SUN#1 *)"}, true},
		{SecretRotationRules{ScheduleExpression: "cron(0 10 ? FEB,MAY,AUG,NOV TUE#2 *)", Duration: "2h"}, true},
		{SecretRotationRules{ScheduleExpression: "cron(0 8 1/7 * ? *)"}, true},
		{SecretRotationRules{ScheduleExpression: "cron(0 4/12 * * ? *)", Duration: "8h"}, true},
		{SecretRotationRules{ScheduleExpression: "cron(0 4/12 * * ? *)", Duration: "9h"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 22 * * ? *)", Duration: "3h"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 0/2 * * ? *)"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 1,3 * * ? *)"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(30 8 * * ? *)"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 8 * * ? 2030)"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 24 * * ? *)"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 8 * * * *)"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 8 ? * ? *)"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 8 * 13 ? *)"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 8 * *)"}, false},
		{SecretRotationRules{ScheduleExpression: "cron(0 8 ? * MON-FRI *)"}, true},
		{SecretRotationRules{ScheduleExpression: "cron(0 8 ? * 8 *)"}, false},
		{SecretRotationRules{ScheduleExpression: "rate(1 day)", Duration: "0h"}, false},
		{SecretRotationRules{ScheduleExpression: "rate(1 day)", Duration: "25h"}, false},
		{SecretRotationRules{ScheduleExpression: "rate(1 day)", Duration: "3 h"}, false},
	}
	for _, tc := range cases {
		if p := SecretRotationRulesProblems(tc.r); (len(p) == 0) != tc.ok {
			t.Errorf("%+v: problems %v, want ok=%v", tc.r, p, tc.ok)
		}
	}
	if !RotationBothScheduleKinds(SecretRotationRules{AutomaticallyAfterDays: 1, ScheduleExpression: "rate(1 day)"}) || RotationBothScheduleKinds(SecretRotationRules{AutomaticallyAfterDays: 1}) {
		t.Error("RotationBothScheduleKinds")
	}
}

func TestSecretRotationRulesCheckNamesTheMember(t *testing.T) {
	cases := []struct {
		r      SecretRotationRules
		member string
	}{
		{SecretRotationRules{AutomaticallyAfterDays: 1001}, RotationMemberDays},
		{SecretRotationRules{ScheduleExpression: "rate(1000 days)"}, RotationMemberSchedule},
		{SecretRotationRules{ScheduleExpression: "cron(0 8 1 * * *)"}, RotationMemberSchedule},
		{SecretRotationRules{ScheduleExpression: "cron(0 22 * * ? *)", Duration: "3h"}, RotationMemberDuration},
		{SecretRotationRules{AutomaticallyAfterDays: 7, Duration: "3 h"}, RotationMemberDuration},
		{SecretRotationRules{AutomaticallyAfterDays: 7, ScheduleExpression: "rate(7 days)"}, ""},
		{SecretRotationRules{}, ""},
	}
	for _, tc := range cases {
		p := SecretRotationRulesCheck(tc.r)
		if len(p) != 1 || p[0].Member != tc.member {
			t.Errorf("%+v: %+v, want one problem about %q", tc.r, p, tc.member)
		}
	}
}

func TestSecretPolicyPublicStatement(t *testing.T) {
	allow := func(principal string, extra string) string {
		return `{"Effect":"Allow","Principal":` + principal + `,"Action":"secretsmanager:GetSecretValue","Resource":"*"` + extra + `}`
	}
	doc := func(statements ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
	}
	cases := []struct {
		name, policy string
		want         int
	}{
		{"star", doc(allow(`"*"`, "")), 0},
		{"AWS star", doc(allow(`{"AWS":"*"}`, "")), 0},
		{"AWS star in a list", doc(allow(`{"AWS":["arn:aws:iam::123456789012:root","*"]}`, "")), 0},
		{"one statement, not a list", `{"Statement":` + allow(`"*"`, "") + `}`, 0},
		{"second statement", doc(allow(`{"AWS":"arn:aws:iam::123456789012:root"}`, ""), allow(`{"AWS":"*"}`, "")), 1},
		{"empty condition", doc(allow(`"*"`, `,"Condition":{}`)), 0},
		{"condition", doc(allow(`"*"`, `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}`)), -1},
		{"deny", doc(`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`), -1},
		{"account", doc(allow(`{"AWS":"arn:aws:iam::123456789012:root"}`, "")), -1},
		{"account list", doc(allow(`{"AWS":["arn:aws:iam::123456789012:root"]}`, "")), -1},
		{"service", doc(allow(`{"Service":"ecs-tasks.amazonaws.com"}`, "")), -1},
		{"not json", `{"Statement":`, -1},
		{"no statement", `{"Version":"2012-10-17"}`, -1},
	}
	for _, tc := range cases {
		if got := SecretPolicyPublicStatement(tc.policy); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestRotationLambdaARNProblems(t *testing.T) {
	cases := []struct {
		arn string
		ok  bool
	}{
		{"arn:aws:lambda:us-east-1:123456789012:function:rotate", true},
		{"arn:aws:lambda:eu-west-2:123456789012:function:my_rotate-fn:live", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:rotate:$LATEST", true},
		{"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:rotate", true},
		{"", false},
		{"rotate", false},
		{"arn:aws:lambda:us-east-1:123456789012:layer:x", false},
		{"arn:aws:lambda:us-east-1:12345:function:rotate", false},
		{"arn:aws:s3:::bucket", false},
	}
	for _, tc := range cases {
		if p := RotationLambdaARNProblems(tc.arn); (len(p) == 0) != tc.ok {
			t.Errorf("%q: problems %v, want ok=%v", tc.arn, p, tc.ok)
		}
	}
}
