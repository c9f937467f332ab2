package secretsmanager

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/berthhq/berth/internal/emulator/awsapi"
)

type filter struct {
	Key    *string
	Values []string
}

type listSecretsInput struct {
	IncludePlannedDeletion *bool
	MaxResults             *int64
	NextToken              *string
	Filters                []filter
	SortOrder              *string
	SortBy                 *string
}

type listSecretsOutput struct {
	SecretList []*describeSecretOutput `json:"SecretList"`
	NextToken  *string                 `json:"NextToken,omitempty"`
}

var filterKeys = []string{"description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"}

var filterValuePattern = regexp.MustCompile(`^!?[a-zA-Z0-9 :_@/+=.\-!]*$`)

// sortColumns maps SortBy to the indexed expression it orders by.
var sortColumns = map[string]string{
	"created-date":       "s.created_at",
	"last-changed-date":  "s.changed_at",
	"last-accessed-date": "COALESCE(s.accessed_at, 0)",
	"name":               "s.name",
}

func enumError(field, value string, set []string) error {
	return awsapi.Errorf("ValidationException", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, field, strings.Join(set, ", "))
}

// filterSQL turns the Filters into one WHERE fragment: filters are ANDed, the
// values of one filter ORed, and a value starting with "!" matches the
// secrets that the rest of it does not match.
func filterSQL(filters []filter) (string, []any, error) {
	if len(filters) > 10 {
		return "", nil, tooLong("filters", "", false, 10)
	}
	var where []string
	var args []any
	for i, f := range filters {
		field := fmt.Sprintf("filters.%d.member", i+1)
		if f.Key == nil {
			return "", nil, missing(field + ".key")
		}
		if !contains(filterKeys, *f.Key) {
			return "", nil, enumError(field+".key", *f.Key, filterKeys)
		}
		if f.Values == nil {
			return "", nil, missing(field + ".values")
		}
		if len(f.Values) < 1 || len(f.Values) > 10 {
			return "", nil, awsapi.Errorf("ValidationException", "1 validation error detected: Value at '%s.values' failed to satisfy constraint: Member must have length between 1 and 10", field)
		}
		var ors []string
		for j, raw := range f.Values {
			if utf8.RuneCountInString(raw) > 512 || !filterValuePattern.MatchString(raw) {
				return "", nil, awsapi.Errorf("ValidationException", "1 validation error detected: Value '%s' at '%s.values.%d.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$", raw, field, j+1)
			}
			neg := strings.HasPrefix(raw, "!")
			v := strings.TrimPrefix(raw, "!")
			n := utf8.RuneCountInString(v)
			var cond string
			switch *f.Key {
			case "name":
				cond = "substr(s.name, 1, ?) = ?"
				args = append(args, n, v)
			case "description":
				cond = "lower(substr(COALESCE(s.description, ''), 1, ?)) = lower(?)"
				args = append(args, n, v)
			case "tag-key":
				cond = "EXISTS (SELECT 1 FROM sm_tags t WHERE t.secret_id = s.id AND substr(t.key, 1, ?) = ?)"
				args = append(args, n, v)
			case "tag-value":
				cond = "EXISTS (SELECT 1 FROM sm_tags t WHERE t.secret_id = s.id AND substr(t.value, 1, ?) = ?)"
				args = append(args, n, v)
			case "primary-region", "owning-service":
				// The emulator neither replicates secrets nor has
				// service-managed ones: these attributes are never set.
				cond = "0"
			case "all":
				words := splitWords(v)
				if len(words) == 0 {
					cond = "0"
					break
				}
				var ands []string
				for _, w := range words {
					ands = append(ands, "instr(s.words, ?) > 0")
					args = append(args, " "+w)
				}
				cond = "(" + strings.Join(ands, " AND ") + ")"
			}
			if neg {
				cond = "NOT (" + cond + ")"
			}
			ors = append(ors, cond)
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	return strings.Join(where, " AND "), args, nil
}

func (sv *service) listSecrets(c *awsapi.Context, in *listSecretsInput) (*listSecretsOutput, error) {
	limit, err := checkMaxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	sortBy := "created-date"
	if in.SortBy != nil {
		sortBy = *in.SortBy
	}
	col, ok := sortColumns[sortBy]
	if !ok {
		return nil, enumError("sortBy", sortBy, []string{"created-date", "last-accessed-date", "last-changed-date", "name"})
	}
	order := "asc"
	if in.SortOrder != nil {
		order = *in.SortOrder
	}
	if order != "asc" && order != "desc" {
		return nil, enumError("sortOrder", order, []string{"asc", "desc"})
	}
	fsql, fargs, err := filterSQL(in.Filters)
	if err != nil {
		return nil, err
	}
	now := sv.now().UnixMilli()
	q := `SELECT s.id, s.name, s.arn, s.description, s.kms_key_id, s.tags, s.policy, s.created_at, s.changed_at, s.accessed_at, s.deleted_at, s.stages_map
		FROM sm_secrets s WHERE s.account = ? AND s.region = ?`
	args := []any{c.Account, c.Region}
	if in.IncludePlannedDeletion != nil && *in.IncludePlannedDeletion {
		q += ` AND (s.deleted_at IS NULL OR s.deleted_at > ?)`
		args = append(args, now)
	} else {
		q += ` AND s.deleted_at IS NULL`
	}
	if fsql != "" {
		q += " AND " + fsql
		args = append(args, fargs...)
	}
	cmp := ">"
	if order == "desc" {
		cmp = "<"
	}
	if in.NextToken != nil {
		key, ok := awsapi.DecodeToken(*in.NextToken)
		parts := strings.SplitN(key, "|", 3)
		if !ok || len(parts) != 3 || parts[0] != sortBy+"/"+order {
			return nil, awsapi.NewError("InvalidNextTokenException", msgInvalidNextToken)
		}
		id, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			return nil, awsapi.NewError("InvalidNextTokenException", msgInvalidNextToken)
		}
		var pos any = parts[2]
		if sortBy != "name" {
			n, err := strconv.ParseInt(parts[2], 10, 64)
			if err != nil {
				return nil, awsapi.NewError("InvalidNextTokenException", msgInvalidNextToken)
			}
			pos = n
		}
		q += fmt.Sprintf(" AND (%s, s.id) %s (?, ?)", col, cmp)
		args = append(args, pos, id)
	}
	q += fmt.Sprintf(" ORDER BY %s %s, s.id %s LIMIT ?", col, order, order)
	args = append(args, limit+1)

	rows, err := sv.db.Read().QueryContext(c, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &listSecretsOutput{SecretList: []*describeSecretOutput{}}
	var last *secret
	for rows.Next() {
		if len(out.SecretList) == limit {
			var pos string
			switch sortBy {
			case "name":
				pos = last.name
			case "created-date":
				pos = strconv.FormatInt(last.created, 10)
			case "last-changed-date":
				pos = strconv.FormatInt(last.changed, 10)
			default:
				var a int64
				if last.accessed != nil {
					a = *last.accessed
				}
				pos = strconv.FormatInt(a, 10)
			}
			tok := awsapi.EncodeToken(sortBy + "/" + order + "|" + strconv.FormatInt(last.id, 10) + "|" + pos)
			out.NextToken = &tok
			break
		}
		var stages string
		s, err := scanSecret(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &stages)...)
		}))
		if err != nil {
			return nil, err
		}
		var m map[string][]string
		if err := json.Unmarshal([]byte(stages), &m); err != nil {
			return nil, err
		}
		e := describe(s, nil)
		if len(m) > 0 {
			e.SecretVersionsToStages = m
		}
		out.SecretList = append(out.SecretList, e)
		last = s
	}
	return out, rows.Err()
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
