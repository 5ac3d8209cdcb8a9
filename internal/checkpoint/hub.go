package checkpoint

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Hub downloads model repositories from the Hugging Face hub into a cache
// laid out as huggingface_hub lays it out (models--owner--name/{blobs,
// snapshots/<commit>,refs/<revision>}), so either tool can use the other's
// files. It resumes partial files, retries transient failures, verifies
// what it gets, and never leaves a partial file where a whole one belongs.
type Hub struct {
	Endpoint string // default https://huggingface.co
	Token    string // sent as a bearer token to the hub, never to another host
	CacheDir string // the hub cache root (gpt2's cache dir + "/hub")
	Client   *http.Client
	// Attempts is how many times a request is tried (default 5).
	Attempts int
	// Backoff is the first wait between attempts, doubling after each
	// (default 1s); a Retry-After header overrides it.
	Backoff time.Duration
	// Progress, if set, is told about each file as it downloads.
	Progress func(file string, size int64) Progress
}

// Progress receives the bytes of one file as they arrive.
type Progress interface {
	Add(n int64)
	Done()
}

// NewHub returns a client for $HF_ENDPOINT (or the public hub) with
// $HF_TOKEN, caching under cacheDir/hub.
func NewHub(cacheDir string) *Hub {
	ep := os.Getenv("HF_ENDPOINT")
	if ep == "" {
		ep = "https://huggingface.co"
	}
	return &Hub{Endpoint: strings.TrimRight(ep, "/"), Token: os.Getenv("HF_TOKEN"), CacheDir: filepath.Join(cacheDir, "hub")}
}

// HubError is a failure the hub reported about a repository or file.
type HubError struct {
	Ref    Ref
	File   string
	Status int
	Code   string // X-Error-Code
	msg    string
}

func (e *HubError) Error() string { return e.msg }

// ModelFiles are the files of a GPT-2 checkpoint, required first.
var (
	RequiredFiles = []string{"config.json", "model.safetensors"}
	OptionalFiles = []string{"vocab.json", "merges.txt", "generation_config.json"}
)

// Download fetches the files of ref into the cache and returns the
// snapshot directory and the commit it is at. Optional files the
// repository does not have are skipped.
func (h *Hub) Download(ctx context.Context, ref Ref, required, optional []string) (dir, commit string, err error) {
	base := filepath.Join(h.CacheDir, repoFolder(ref.Repo))
	rev := ref.Revision
	for i, file := range append(append([]string{}, required...), optional...) {
		meta, err := h.head(ctx, Ref{ref.Repo, rev}, file)
		if err != nil {
			var he *HubError
			if i >= len(required) && errors.As(err, &he) && he.Code == "EntryNotFound" {
				continue
			}
			return "", "", err
		}
		if commit == "" {
			// Fetch every other file at the commit the first one came
			// from, so that the snapshot is consistent.
			commit, rev = meta.commit, meta.commit
			if commit == "" {
				return "", "", fmt.Errorf("%s: the hub sent no X-Repo-Commit for %s", ref, file)
			}
		}
		if err := h.fetchBlob(ctx, base, ref, file, meta); err != nil {
			return "", "", err
		}
		if err := linkSnapshot(base, commit, file, meta.etag); err != nil {
			return "", "", err
		}
	}
	if ref.Revision != commit {
		if err := writeFileAtomic(filepath.Join(base, "refs", ref.Revision), []byte(commit)); err != nil {
			return "", "", err
		}
	}
	return filepath.Join(base, "snapshots", commit), commit, nil
}

type fileMeta struct {
	commit string
	etag   string // blob name: sha256 of LFS files, git sha1 of others
	size   int64
	url    string // where to GET the bytes
	lfs    bool
}

func (h *Hub) client() *http.Client {
	if h.Client != nil {
		return h.Client
	}
	return http.DefaultClient
}

func (h *Hub) attempts() int {
	if h.Attempts > 0 {
		return h.Attempts
	}
	return 5
}

func (h *Hub) backoff() time.Duration {
	if h.Backoff > 0 {
		return h.Backoff
	}
	return time.Second
}

// resolveURL is {endpoint}/{repo}/resolve/{revision}/{file}.
func (h *Hub) resolveURL(ref Ref, file string) string {
	return h.Endpoint + "/" + ref.Repo + "/resolve/" + url.PathEscape(ref.Revision) + "/" + file
}

// head asks the hub where a file is and what it is, without following a
// redirect to the storage host (its headers are what we need).
func (h *Hub) head(ctx context.Context, ref Ref, file string) (fileMeta, error) {
	target := h.resolveURL(ref, file)
	for hops := 0; ; hops++ {
		var resp *http.Response
		err := h.retry(ctx, func() (retryable bool, wait time.Duration, err error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodHead, target, nil)
			if err != nil {
				return false, 0, err
			}
			h.authorize(req)
			req.Header.Set("Accept-Encoding", "identity")
			c := *h.client()
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err = c.Do(req)
			if err != nil {
				return transient(err), 0, h.netError(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
				return true, retryAfter(resp), fmt.Errorf("%s: the hub answered %s", target, resp.Status)
			}
			return false, 0, nil
		})
		if err != nil {
			return fileMeta{}, err
		}
		meta := fileMeta{
			commit: resp.Header.Get("X-Repo-Commit"),
			etag:   normalizeEtag(firstNonEmpty(resp.Header.Get("X-Linked-Etag"), resp.Header.Get("ETag"))),
			size:   parseSize(firstNonEmpty(resp.Header.Get("X-Linked-Size"), resp.Header.Get("Content-Length"))),
			url:    target,
			lfs:    resp.Header.Get("X-Linked-Etag") != "",
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			return meta.check(ref, file)
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := resp.Location()
			if err != nil {
				return fileMeta{}, fmt.Errorf("%s: redirect without a location", target)
			}
			if meta.lfs || !sameHost(loc, target) {
				// The bytes live on the storage host.
				meta.url = loc.String()
				return meta.check(ref, file)
			}
			if hops >= 5 {
				return fileMeta{}, fmt.Errorf("%s: too many redirects", target)
			}
			target = loc.String() // a renamed repository
		default:
			return fileMeta{}, hubError(resp, ref, file, h.Token != "")
		}
	}
}

func (m fileMeta) check(ref Ref, file string) (fileMeta, error) {
	if m.etag == "" || strings.ContainsAny(m.etag, "/\\.") {
		return m, fmt.Errorf("%s: the hub sent no usable ETag for %s", ref, file)
	}
	return m, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func normalizeEtag(s string) string {
	s = strings.TrimPrefix(s, "W/")
	return strings.Trim(s, `"`)
}

func parseSize(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func sameHost(u *url.URL, raw string) bool {
	v, err := url.Parse(raw)
	return err == nil && strings.EqualFold(u.Host, v.Host)
}

func (h *Hub) authorize(req *http.Request) {
	if h.Token != "" && sameHost(req.URL, h.Endpoint) {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
}

// hubError turns an error answer of the hub into one line naming what is
// missing.
func hubError(resp *http.Response, ref Ref, file string, haveToken bool) error {
	code := resp.Header.Get("X-Error-Code")
	e := &HubError{Ref: ref, File: file, Status: resp.StatusCode, Code: code}
	switch {
	case code == "RepoNotFound" || (resp.StatusCode == http.StatusUnauthorized && code == ""):
		e.msg = fmt.Sprintf("repository %s not found on the hub (if it is private, set HF_TOKEN)", ref.Repo)
		e.Code = "RepoNotFound"
	case code == "GatedRepo" || resp.StatusCode == http.StatusForbidden:
		if haveToken {
			e.msg = fmt.Sprintf("repository %s is gated and HF_TOKEN has no access: accept its conditions on the hub", ref.Repo)
		} else {
			e.msg = fmt.Sprintf("repository %s is gated: accept its conditions on the hub and set HF_TOKEN", ref.Repo)
		}
	case code == "RevisionNotFound":
		e.msg = fmt.Sprintf("revision %q not found in %s", ref.Revision, ref.Repo)
	case code == "EntryNotFound" || resp.StatusCode == http.StatusNotFound:
		e.msg = fmt.Sprintf("%s has no file %s at revision %s", ref.Repo, file, ref.Revision)
		e.Code = "EntryNotFound"
	default:
		e.msg = fmt.Sprintf("%s: the hub answered %s for %s", ref, resp.Status, file)
	}
	return e
}

// netError says plainly that the network is the problem.
func (h *Hub) netError(err error) error {
	var dns *net.DNSError
	var op *net.OpError
	if errors.As(err, &dns) || errors.As(err, &op) {
		return fmt.Errorf("cannot reach %s (for models already here, use --offline): %v", h.Endpoint, err)
	}
	return err
}

// transient says whether a failed request is worth trying again: a name
// that does not resolve will not resolve in a second either.
func transient(err error) bool {
	var dns *net.DNSError
	return !(errors.As(err, &dns) && dns.IsNotFound)
}

// retry runs f until it succeeds, fails for good, or the attempts are
// used up, waiting between attempts (doubling, or as the server asked).
func (h *Hub) retry(ctx context.Context, f func() (retryable bool, wait time.Duration, err error)) error {
	delay := h.backoff()
	for attempt := 1; ; attempt++ {
		retryable, wait, err := f()
		if err == nil || !retryable || attempt >= h.attempts() || ctx.Err() != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if wait <= 0 {
			wait = delay
			delay *= 2
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date).
func retryAfter(resp *http.Response) time.Duration {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, 5*time.Minute)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(t), 0), 5*time.Minute)
	}
	return 0
}

// fetchBlob makes sure blobs/<etag> holds the file: downloaded into
// <etag>.incomplete (resumed if a previous run left one), verified, then
// renamed. A lock keeps two processes from writing the same blob.
func (h *Hub) fetchBlob(ctx context.Context, base string, ref Ref, file string, meta fileMeta) error {
	blob := filepath.Join(base, "blobs", meta.etag)
	if fileExists(blob) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		return err
	}
	unlock, err := lockFile(ctx, filepath.Join(h.CacheDir, ".locks", repoFolder(ref.Repo), meta.etag+".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if fileExists(blob) {
		return nil // another process finished it while we waited
	}
	part := blob + ".incomplete"
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	sum := newVerifier(meta)
	have, err := io.Copy(&sum, f) // what an earlier run left, hashed again
	if err != nil {
		return err
	}
	if meta.size >= 0 && have > meta.size {
		f.Truncate(0)
		f.Seek(0, io.SeekStart)
		sum, have = newVerifier(meta), 0
	}
	var bar Progress
	if h.Progress != nil {
		bar = h.Progress(file, meta.size)
		bar.Add(have)
		defer bar.Done()
	}
	err = h.retry(ctx, func() (bool, time.Duration, error) {
		n, retryable, wait, err := h.get(ctx, meta, f, have, &sum, bar)
		have += n
		return retryable, wait, err
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", ref, file, err)
	}
	if meta.size >= 0 && have != meta.size {
		return fmt.Errorf("%s %s: got %d bytes, the hub announced %d", ref, file, have, meta.size)
	}
	if err := sum.verify(); err != nil {
		f.Close()
		os.Remove(part)
		return fmt.Errorf("%s %s: %v; the download was deleted", ref, file, err)
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(part, blob)
}

// get downloads from offset have onwards into f (positioned at its end).
func (h *Hub) get(ctx context.Context, meta fileMeta, f *os.File, have int64, sum *verifier, bar Progress) (n int64, retryable bool, wait time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, meta.url, nil)
	if err != nil {
		return 0, false, 0, err
	}
	h.authorize(req)
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	c := *h.client()
	c.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("too many redirects")
		}
		if !sameHost(r.URL, h.Endpoint) {
			r.Header.Del("Authorization") // the token is for the hub only
		}
		return nil
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, transient(err), 0, h.netError(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		if start := contentRangeStart(resp.Header.Get("Content-Range")); start != have {
			return 0, false, 0, fmt.Errorf("asked for bytes from %d, got them from %d", have, start)
		}
	case resp.StatusCode == http.StatusOK:
		if have > 0 { // the server ignored the range: start over
			if err := f.Truncate(0); err != nil {
				return 0, false, 0, err
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return 0, false, 0, err
			}
			*sum = newVerifier(meta)
			if bar != nil {
				bar.Add(-have)
			}
			n = -have
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		return 0, false, 0, fmt.Errorf("the server cannot resume at byte %d", have)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return 0, true, retryAfter(resp), fmt.Errorf("the server answered %s", resp.Status)
	default:
		return 0, false, 0, fmt.Errorf("the server answered %s", resp.Status)
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		return n, false, 0, err
	}
	buf := make([]byte, 1<<20)
	for {
		k, rerr := resp.Body.Read(buf)
		if k > 0 {
			if _, werr := f.Write(buf[:k]); werr != nil {
				return n, false, 0, diskError(werr)
			}
			sum.Write(buf[:k])
			n += int64(k)
			if bar != nil {
				bar.Add(int64(k))
			}
		}
		if rerr == io.EOF {
			return n, false, 0, nil
		}
		if rerr != nil {
			// A dropped connection: the next attempt resumes from here.
			return n, ctx.Err() == nil, 0, fmt.Errorf("connection lost: %v", rerr)
		}
	}
}

func diskError(err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("disk full: %v", err)
	}
	return err
}

func contentRangeStart(v string) int64 {
	// "bytes 100-999/1000"
	v = strings.TrimPrefix(v, "bytes ")
	s, _, _ := strings.Cut(v, "-")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// verifier checks a download against its ETag: the SHA-256 of an LFS
// file, or git's SHA-1 of a small one ("blob <size>\0" + content).
type verifier struct {
	h    hash.Hash
	want string
	kind string
	git  bool
	size int64
	data []byte // small files are kept to hash with git's header
}

func newVerifier(meta fileMeta) verifier {
	switch {
	case meta.lfs && len(meta.etag) == 64 && isHex(meta.etag):
		return verifier{h: sha256.New(), want: meta.etag, kind: "SHA-256"}
	case len(meta.etag) == 40 && isHex(meta.etag):
		return verifier{want: meta.etag, kind: "git SHA-1", git: true, size: meta.size}
	}
	return verifier{}
}

func (v *verifier) Write(p []byte) (int, error) {
	switch {
	case v.h != nil:
		v.h.Write(p)
	case v.git:
		v.data = append(v.data, p...)
	}
	return len(p), nil
}

func (v *verifier) verify() error {
	var got string
	switch {
	case v.h != nil:
		got = hex.EncodeToString(v.h.Sum(nil))
	case v.git:
		h := sha1.New()
		fmt.Fprintf(h, "blob %d\x00", len(v.data))
		h.Write(v.data)
		got = hex.EncodeToString(h.Sum(nil))
	default:
		return nil // nothing to check against
	}
	if got != v.want {
		return fmt.Errorf("%s mismatch: got %s, the hub says %s", v.kind, got, v.want)
	}
	return nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// linkSnapshot points snapshots/<commit>/<file> at the blob, with a
// relative symlink as huggingface_hub makes (a copy where links fail).
func linkSnapshot(base, commit, file, etag string) error {
	dst := filepath.Join(base, "snapshots", commit, file)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(dst), filepath.Join(base, "blobs", etag))
	if err != nil {
		return err
	}
	if target, err := os.Readlink(dst); err == nil && target == rel {
		return nil
	}
	// A name of its own: another process (or goroutine) may be linking
	// the same file of the same snapshot right now.
	tmp := fmt.Sprintf("%s.tmp-link-%d-%d", dst, os.Getpid(), linkSeq.Add(1))
	if err := os.Symlink(rel, tmp); err != nil {
		b, rerr := os.ReadFile(filepath.Join(base, "blobs", etag))
		if rerr != nil {
			return err
		}
		return writeFileAtomic(dst, b)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// linkSeq numbers the temporary links this process makes.
var linkSeq atomic.Uint64

func writeFileAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return diskError(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
