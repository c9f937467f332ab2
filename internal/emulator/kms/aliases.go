package kms

import (
	"database/sql"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// aliasNameRE is AliasNameType's pattern in the KMS model.
var aliasNameRE = regexp.MustCompile(`^[a-zA-Z0-9:/_-]+$`)

// managedNames is managedAliases' keys in order, for listing.
var managedNames = func() []string {
	names := make([]string, 0, len(managedAliases))
	for n := range managedAliases {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}()

type createAliasInput struct {
	AliasName   *string
	TargetKeyID *string `json:"TargetKeyId"`
}

func (s *service) createAlias(c *awsapi.Context, in *createAliasInput) (*struct{}, error) {
	var v violations
	if in.AliasName == nil {
		v.Add(nil, "aliasName", "Member must not be null")
	} else {
		v.Length(*in.AliasName, "aliasName", 1, 256)
		if *in.AliasName != "" && !aliasNameRE.MatchString(*in.AliasName) {
			v.Add(*in.AliasName, "aliasName", "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")
		}
	}
	if in.TargetKeyID == nil {
		v.Add(nil, "targetKeyId", "Member must not be null")
	} else {
		v.Length(*in.TargetKeyID, "targetKeyId", 1, 2048)
	}
	if err := v.Err("ValidationException"); err != nil {
		return nil, err
	}
	name, target := *in.AliasName, *in.TargetKeyID
	if !strings.HasPrefix(name, "alias/") {
		return nil, awsapi.NewError("ValidationException", `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	}
	if strings.HasPrefix(name, "alias/aws/") {
		// KMS answers this with the bare exception, no message.
		return nil, awsapi.NewError("NotAuthorizedException", "")
	}
	if strings.Contains(name, ":") {
		return nil, awsapi.Errorf("ValidationException", "%s contains invalid characters for an alias", name)
	}
	if strings.HasPrefix(target, "alias/") || strings.HasPrefix(target, "arn:") && strings.Contains(target, ":alias/") {
		return nil, awsapi.NewError("ValidationException", "Aliases must refer to keys. Not aliases")
	}
	r, err := parseRef(c.Account, c.Region, target)
	if err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	err = s.db.Write(c, func(tx *state.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM kms_aliases WHERE account = ? AND region = ? AND alias_name = ?`, c.Account, c.Region, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return awsapi.Errorf("AlreadyExistsException", "An alias with the name %s already exists", aliasARN(c.Account, c.Region, name))
		}
		k, err := lookup(c, tx, r)
		if err != nil {
			return err
		}
		if k.Account != c.Account || k.Region != c.Region {
			return errNotFound("Key '%s' does not exist", k.ARN)
		}
		_, err = tx.Exec(`INSERT INTO kms_aliases (account, region, alias_name, target_key_id, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?)`,
			c.Account, c.Region, name, k.ID, now, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

type aliasEntry struct {
	AliasName       string       `json:"AliasName"`
	AliasArn        string       `json:"AliasArn"`
	TargetKeyID     string       `json:"TargetKeyId,omitempty"`
	CreationDate    *awsapi.Time `json:"CreationDate,omitempty"`
	LastUpdatedDate *awsapi.Time `json:"LastUpdatedDate,omitempty"`
}

type listAliasesOutput struct {
	Aliases    []aliasEntry `json:"Aliases"`
	NextMarker string       `json:"NextMarker,omitempty"`
	Truncated  bool         `json:"Truncated"`
}

// listAliases lists the account's aliases in name order. The AWS managed
// aliases whose key does not exist yet are merged in from managedNames: they
// have no row until a service's first use creates their key.
func (s *service) listAliases(c *awsapi.Context, in *listInput) (*listAliasesOutput, error) {
	limit, after, err := page(in, 50, 100)
	if err != nil {
		return nil, err
	}
	var (
		rows   *sql.Rows
		byKey  = in.KeyID != nil
		statik []string
	)
	if byKey {
		k, err := resolveKeyOnly(c, s, *in.KeyID)
		if err != nil {
			return nil, err
		}
		rows, err = s.db.Read().QueryContext(c, `SELECT alias_name, target_key_id, created_ms, updated_ms FROM kms_aliases
			WHERE account = ? AND region = ? AND target_key_id = ? AND alias_name > ? ORDER BY alias_name LIMIT ?`,
			c.Account, c.Region, k.ID, after, limit+1)
		if err != nil {
			return nil, err
		}
	} else {
		rows, err = s.db.Read().QueryContext(c, `SELECT alias_name, target_key_id, created_ms, updated_ms FROM kms_aliases
			WHERE account = ? AND region = ? AND alias_name > ? ORDER BY alias_name LIMIT ?`,
			c.Account, c.Region, after, limit+1)
		if err != nil {
			return nil, err
		}
		i := sort.SearchStrings(managedNames, after)
		for ; i < len(managedNames); i++ {
			if managedNames[i] > after {
				statik = append(statik, managedNames[i])
			}
		}
	}
	defer rows.Close()
	var stored []aliasEntry
	for rows.Next() {
		var (
			e                aliasEntry
			created, updated int64
		)
		if err := rows.Scan(&e.AliasName, &e.TargetKeyID, &created, &updated); err != nil {
			return nil, err
		}
		e.AliasArn = aliasARN(c.Account, c.Region, e.AliasName)
		e.CreationDate = awsapi.TimePtr(time.UnixMilli(created))
		e.LastUpdatedDate = awsapi.TimePtr(time.UnixMilli(updated))
		stored = append(stored, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Merge the two name-ordered streams; a stored row wins over the
	// managed placeholder of the same name.
	out := &listAliasesOutput{Aliases: []aliasEntry{}}
	for len(stored) > 0 || len(statik) > 0 {
		var e aliasEntry
		switch {
		case len(statik) == 0 || len(stored) > 0 && stored[0].AliasName <= statik[0]:
			e = stored[0]
			if len(statik) > 0 && statik[0] == e.AliasName {
				statik = statik[1:]
			}
			stored = stored[1:]
		default:
			e = aliasEntry{AliasName: statik[0], AliasArn: aliasARN(c.Account, c.Region, statik[0])}
			statik = statik[1:]
		}
		if len(out.Aliases) == limit {
			out.Truncated = true
			out.NextMarker = awsapi.EncodeToken(out.Aliases[limit-1].AliasName)
			break
		}
		out.Aliases = append(out.Aliases, e)
	}
	return out, nil
}

// resolveKeyOnly resolves ListAliases' KeyId, which names a key by id or
// ARN, never by alias.
func resolveKeyOnly(c *awsapi.Context, s *service, id string) (keyRow, error) {
	if strings.HasPrefix(id, "alias/") || strings.Contains(id, ":alias/") {
		return keyRow{}, errNotFound("Invalid keyId %s", id)
	}
	r, err := parseRef(c.Account, c.Region, id)
	if err != nil {
		return keyRow{}, err
	}
	return lookup(c, s.db.Read(), r)
}
