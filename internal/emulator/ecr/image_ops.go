package ecr

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

type imageID struct {
	ImageDigest string `json:"imageDigest,omitempty"`
	ImageTag    string `json:"imageTag,omitempty"`
}

type image struct {
	RegistryID             string  `json:"registryId"`
	RepositoryName         string  `json:"repositoryName"`
	ImageID                imageID `json:"imageId"`
	ImageManifest          string  `json:"imageManifest"`
	ImageManifestMediaType string  `json:"imageManifestMediaType,omitempty"`
}

type imageFailure struct {
	ImageID       imageID `json:"imageId"`
	FailureCode   string  `json:"failureCode"`
	FailureReason string  `json:"failureReason"`
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

var digestRE = regexp.MustCompile(`^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$`)

func checkImageTag(field, tag string) error {
	if len(tag) > 300 {
		return invalidParam(field, "must have length less than or equal to 300")
	}
	return nil
}

// ---- PutImage ----

type putImageInput struct {
	RegistryID             string `json:"registryId"`
	RepositoryName         string `json:"repositoryName"`
	ImageManifest          string `json:"imageManifest"`
	ImageManifestMediaType string `json:"imageManifestMediaType"`
	ImageTag               string `json:"imageTag"`
	ImageDigest            string `json:"imageDigest"`
}

type putImageOutput struct {
	Image image `json:"image"`
}

func (s *service) putImage(c *awsapi.Context, in *putImageInput) (*putImageOutput, error) {
	r, err := repoRef(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	switch {
	case in.ImageManifest == "":
		return nil, invalidParam("imageManifest", "must have length greater than or equal to 1")
	case len(in.ImageManifest) > 4194304:
		return nil, invalidParam("imageManifest", "must have length less than or equal to 4194304")
	}
	if err := checkImageTag("imageTag", in.ImageTag); err != nil {
		return nil, err
	}
	manifest := []byte(in.ImageManifest)
	if in.ImageDigest != "" && in.ImageDigest != Digest(manifest) {
		return nil, awsapi.Errorf("ImageDigestDoesNotMatchException", "Provided image digest '%s' does not match the calculated digest '%s'", in.ImageDigest, Digest(manifest))
	}
	img, err := s.images.PutManifest(c, r, manifest, in.ImageManifestMediaType, in.ImageTag)
	var me *ManifestError
	switch {
	case err == nil:
	case errors.As(err, &me):
		return nil, awsapi.NewError("InvalidParameterException", me.Error())
	case errors.Is(err, ErrRepositoryNotFound):
		return nil, repoNotFound(r)
	case errors.Is(err, ErrImageTagAlreadyExists):
		return nil, awsapi.Errorf("ImageTagAlreadyExistsException", "The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the repository is immutable.", in.ImageTag, r.Name)
	case errors.Is(err, ErrImageAlreadyExists):
		t := in.ImageTag
		if t == "" {
			t = "null"
		}
		return nil, awsapi.Errorf("ImageAlreadyExistsException", "Image with digest '%s' and tag '%s' already exists in the repository with name '%s' in registry with id '%s'", Digest(manifest), t, r.Name, r.Account)
	case errors.Is(err, ErrReferencedImagesNotFound):
		return nil, awsapi.NewError("ReferencedImagesNotFoundException", "The manifest list is referencing an image that does not exist.")
	default:
		return nil, err
	}
	return &putImageOutput{Image: image{
		RegistryID: r.Account, RepositoryName: r.Name,
		ImageID:                imageID{ImageDigest: img.Digest, ImageTag: in.ImageTag},
		ImageManifest:          in.ImageManifest,
		ImageManifestMediaType: img.MediaType,
	}}, nil
}

// ---- ListImages / DescribeImages ----

type imagesFilter struct {
	TagStatus   string `json:"tagStatus"`
	ImageStatus string `json:"imageStatus"`
}

type listImagesInput struct {
	RegistryID     string        `json:"registryId"`
	RepositoryName string        `json:"repositoryName"`
	NextToken      string        `json:"nextToken"`
	MaxResults     *int32        `json:"maxResults"`
	Filter         *imagesFilter `json:"filter"`
	ImageIDs       []imageID     `json:"imageIds"`
}

type listImagesOutput struct {
	ImageIDs  []imageID `json:"imageIds"`
	NextToken string    `json:"nextToken,omitempty"`
}

// filterSQL turns a tagStatus/imageStatus filter into a WHERE fragment on
// images aliased i. none is true when no image can match (archived images
// do not exist in the emulator).
func filterSQL(f *imagesFilter) (where string, none bool, err error) {
	if f == nil {
		return "", false, nil
	}
	switch f.TagStatus {
	case "", "ANY":
	case "TAGGED":
		where = ` AND EXISTS (SELECT 1 FROM ecr_image_tags t2 WHERE t2.account=i.account AND t2.region=i.region AND t2.repository=i.repository AND t2.digest=i.digest)`
	case "UNTAGGED":
		where = ` AND NOT EXISTS (SELECT 1 FROM ecr_image_tags t2 WHERE t2.account=i.account AND t2.region=i.region AND t2.repository=i.repository AND t2.digest=i.digest)`
	default:
		return "", false, invalidParam("filter.tagStatus", "Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]")
	}
	switch f.ImageStatus {
	case "", "ANY", "ACTIVE":
	case "ARCHIVED", "ACTIVATING":
		none = true
	default:
		return "", false, invalidParam("filter.imageStatus", "Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]")
	}
	return where, none, nil
}

func (s *service) existingRepo(c *awsapi.Context, registryID, name string) (Repo, error) {
	r, err := repoRef(c, registryID, name)
	if err != nil {
		return r, err
	}
	ok, err := s.images.RepositoryExists(c, r)
	if err == nil && !ok {
		err = repoNotFound(r)
	}
	return r, err
}

func (s *service) listImages(c *awsapi.Context, in *listImagesInput) (*listImagesOutput, error) {
	r, err := s.existingRepo(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	limit, after, err := pageParams(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	afterDigest, afterTag, _ := strings.Cut(after, "\x00")
	where, none, err := filterSQL(in.Filter)
	if err != nil {
		return nil, err
	}
	out := &listImagesOutput{ImageIDs: []imageID{}}
	if none {
		return out, nil
	}
	// One row per (image, tag), untagged images once: keyset on (digest, tag);
	// the plain digest bound lets SQLite seek the primary key to the page.
	rows, err := s.db.Read().QueryContext(c, `SELECT i.digest, COALESCE(t.tag, '') AS tg FROM ecr_images i
		LEFT JOIN ecr_image_tags t ON t.account=i.account AND t.region=i.region AND t.repository=i.repository AND t.digest=i.digest
		WHERE i.account=? AND i.region=? AND i.repository=? AND i.digest >= ? AND (i.digest, COALESCE(t.tag, '')) > (?, ?)`+where+`
		ORDER BY i.digest, tg LIMIT ?`, r.Account, r.Region, r.Name, afterDigest, afterDigest, afterTag, limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id imageID
		if err := rows.Scan(&id.ImageDigest, &id.ImageTag); err != nil {
			return nil, err
		}
		out.ImageIDs = append(out.ImageIDs, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out.ImageIDs) > limit {
		out.ImageIDs = out.ImageIDs[:limit]
		last := out.ImageIDs[limit-1]
		out.NextToken = awsapi.EncodeToken(last.ImageDigest + "\x00" + last.ImageTag)
	}
	return out, nil
}

type imageDetail struct {
	RegistryID             string       `json:"registryId"`
	RepositoryName         string       `json:"repositoryName"`
	ImageDigest            string       `json:"imageDigest"`
	ImageTags              []string     `json:"imageTags,omitempty"`
	ImageSizeInBytes       int64        `json:"imageSizeInBytes"`
	ImagePushedAt          awsapi.Time  `json:"imagePushedAt"`
	ImageManifestMediaType string       `json:"imageManifestMediaType,omitempty"`
	ArtifactMediaType      string       `json:"artifactMediaType,omitempty"`
	LastRecordedPullTime   *awsapi.Time `json:"lastRecordedPullTime,omitempty"`
	SubjectManifestDigest  string       `json:"subjectManifestDigest,omitempty"`
	ImageStatus            string       `json:"imageStatus"`
}

func detail(r Repo, img *Image) imageDetail {
	d := imageDetail{
		RegistryID: r.Account, RepositoryName: r.Name,
		ImageDigest: img.Digest, ImageTags: img.Tags, ImageSizeInBytes: img.Size,
		ImagePushedAt:          awsapi.Time(img.PushedAt),
		ImageManifestMediaType: img.MediaType, ArtifactMediaType: img.ArtifactMediaType,
		SubjectManifestDigest: img.SubjectDigest,
		ImageStatus:           "ACTIVE",
	}
	if !img.LastPull.IsZero() {
		d.LastRecordedPullTime = awsapi.TimePtr(img.LastPull)
	}
	return d
}

type describeImagesOutput struct {
	ImageDetails []imageDetail `json:"imageDetails"`
	NextToken    string        `json:"nextToken,omitempty"`
}

func imageNotFound(r Repo, id imageID) error {
	d, t := "null", "null"
	if id.ImageDigest != "" {
		d = id.ImageDigest
	}
	if id.ImageTag != "" {
		t = id.ImageTag
	}
	return awsapi.Errorf("ImageNotFoundException", "The image with imageId {imageDigest:'%s', imageTag:'%s'} does not exist within the repository with name '%s' in the registry with id '%s'", d, t, r.Name, r.Account)
}

func (s *service) describeImages(c *awsapi.Context, in *listImagesInput) (*describeImagesOutput, error) {
	r, err := s.existingRepo(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	q := readQuerier{c, s.db.Read()}
	out := &describeImagesOutput{ImageDetails: []imageDetail{}}
	if len(in.ImageIDs) > 0 {
		if len(in.ImageIDs) > 100 {
			return nil, invalidParam("imageIds", "must have length less than or equal to 100")
		}
		seen := map[string]bool{}
		for _, id := range in.ImageIDs {
			img, _, ferr := lookup(q, r, id)
			if ferr != nil {
				if ferr.FailureCode == "ImageNotFound" {
					return nil, imageNotFound(r, id)
				}
				return nil, awsapi.NewError("InvalidParameterException", ferr.FailureReason)
			}
			if !seen[img.Digest] {
				seen[img.Digest] = true
				out.ImageDetails = append(out.ImageDetails, detail(r, img))
			}
		}
		return out, nil
	}
	limit, after, err := pageParams(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	where, none, err := filterSQL(in.Filter)
	if err != nil || none {
		return out, err
	}
	rows, err := q.Query(`SELECT `+imageColumns+` FROM ecr_images i WHERE i.account=? AND i.region=? AND i.repository=? AND i.digest > ?`+where+`
		ORDER BY i.digest LIMIT ?`, r.Account, r.Region, r.Name, after, limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		img, err := scanImage(rows)
		if err != nil {
			return nil, err
		}
		out.ImageDetails = append(out.ImageDetails, detail(r, img))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out.ImageDetails) > limit {
		out.ImageDetails = out.ImageDetails[:limit]
		out.NextToken = awsapi.EncodeToken(out.ImageDetails[limit-1].ImageDigest)
	}
	return out, nil
}

// lookup resolves an image identifier the way BatchGetImage and
// BatchDeleteImage do, returning a failure entry for a bad or unknown id.
// byTag is true when the tag picked the image.
func lookup(q querier, r Repo, id imageID) (img *Image, byTag bool, fail *imageFailure) {
	switch {
	case id.ImageDigest == "" && id.ImageTag == "":
		return nil, false, &imageFailure{ImageID: id, FailureCode: "MissingDigestAndTag", FailureReason: "Invalid request parameters: both tag and digest cannot be null"}
	case id.ImageDigest != "" && !digestRE.MatchString(id.ImageDigest):
		return nil, false, &imageFailure{ImageID: id, FailureCode: "InvalidImageDigest", FailureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"}
	case len(id.ImageTag) > 300:
		return nil, false, &imageFailure{ImageID: id, FailureCode: "InvalidImageTag", FailureReason: "Invalid request parameters: image tag should have length less than or equal to 300"}
	}
	notFound := &imageFailure{ImageID: id, FailureCode: "ImageNotFound", FailureReason: "Requested image not found"}
	digest := id.ImageDigest
	if id.ImageTag != "" {
		d, err := resolveTag(q, r, id.ImageTag)
		if err != nil {
			return nil, false, notFound
		}
		if digest != "" && d != digest {
			return nil, false, &imageFailure{ImageID: id, FailureCode: "ImageTagDoesNotMatchDigest", FailureReason: "Invalid request parameters: given tag does not map to the given digest"}
		}
		digest, byTag = d, true
	}
	img, err := getImage(q, r, digest)
	if err != nil {
		return nil, false, notFound
	}
	return img, byTag, nil
}

// ---- BatchGetImage ----

type batchImagesInput struct {
	RegistryID         string    `json:"registryId"`
	RepositoryName     string    `json:"repositoryName"`
	ImageIDs           []imageID `json:"imageIds"`
	AcceptedMediaTypes []string  `json:"acceptedMediaTypes"`
}

type batchGetImageOutput struct {
	Images   []image        `json:"images"`
	Failures []imageFailure `json:"failures"`
}

func checkImageIDs(ids []imageID) error {
	switch {
	case len(ids) == 0:
		return invalidParam("imageIds", "must have length greater than or equal to 1")
	case len(ids) > 100:
		return invalidParam("imageIds", "must have length less than or equal to 100")
	}
	return nil
}

func (s *service) batchGetImage(c *awsapi.Context, in *batchImagesInput) (*batchGetImageOutput, error) {
	r, err := s.existingRepo(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkImageIDs(in.ImageIDs); err != nil {
		return nil, err
	}
	q := readQuerier{c, s.db.Read()}
	out := &batchGetImageOutput{Images: []image{}, Failures: []imageFailure{}}
	var pulled []string
	for _, id := range in.ImageIDs {
		img, _, fail := lookup(q, r, id)
		if fail != nil {
			out.Failures = append(out.Failures, *fail)
			continue
		}
		b, err := manifestBytes(q, r, img.Digest)
		if err != nil {
			return nil, err
		}
		out.Images = append(out.Images, image{
			RegistryID: r.Account, RepositoryName: r.Name,
			ImageID:                imageID{ImageDigest: img.Digest, ImageTag: id.ImageTag},
			ImageManifest:          string(b),
			ImageManifestMediaType: img.MediaType,
		})
		pulled = append(pulled, img.Digest)
	}
	if len(pulled) > 0 {
		now := time.Now().UnixMilli()
		err := s.db.Write(c, func(tx *state.Tx) error {
			for _, d := range pulled {
				if _, err := tx.Exec(`UPDATE ecr_images SET last_pull=? WHERE account=? AND region=? AND repository=? AND digest=?`,
					now, r.Account, r.Region, r.Name, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ---- BatchDeleteImage ----

type batchDeleteImageOutput struct {
	ImageIDs []imageID      `json:"imageIds"`
	Failures []imageFailure `json:"failures"`
}

func (s *service) batchDeleteImage(c *awsapi.Context, in *batchImagesInput) (*batchDeleteImageOutput, error) {
	r, err := repoRef(c, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkImageIDs(in.ImageIDs); err != nil {
		return nil, err
	}
	var out *batchDeleteImageOutput
	err = s.db.Write(c, func(tx *state.Tx) error {
		out = &batchDeleteImageOutput{ImageIDs: []imageID{}, Failures: []imageFailure{}}
		if ok, err := repoExistsTx(tx, r); err != nil || !ok {
			if err == nil {
				err = repoNotFound(r)
			}
			return err
		}
		for _, id := range in.ImageIDs {
			img, byTag, fail := lookup(tx, r, id)
			if fail != nil {
				out.Failures = append(out.Failures, *fail)
				continue
			}
			var err error
			var deleted []imageID
			if byTag {
				err = untag(tx, r, id.ImageTag, img.Digest)
				deleted = []imageID{{ImageDigest: img.Digest, ImageTag: id.ImageTag}}
			} else {
				var tags []string
				tags, err = deleteImage(tx, r, img.Digest)
				for _, t := range tags {
					deleted = append(deleted, imageID{ImageDigest: img.Digest, ImageTag: t})
				}
				if len(tags) == 0 {
					deleted = []imageID{{ImageDigest: img.Digest}}
				}
			}
			var ref *referencedError
			switch {
			case errors.As(err, &ref):
				out.Failures = append(out.Failures, imageFailure{ImageID: id, FailureCode: "ImageReferencedByManifestList",
					FailureReason: fmt.Sprintf("Requested image referenced by manifest list: [%s]", ref.parent)})
			case err != nil:
				return err
			default:
				out.ImageIDs = append(out.ImageIDs, deleted...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
