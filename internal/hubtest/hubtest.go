// Package hubtest is a stand-in for the Hugging Face hub in tests: an
// httptest server that answers /{repo}/resolve/{revision}/{file} as the
// hub does (small files directly with a git ETag; large files with a 302
// to a second host, the storage host, with X-Linked-Etag and
// X-Linked-Size), with faults to inject.
package hubtest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Hub is a fake hub with one storage host behind it.
type Hub struct {
	Hub, CDN *httptest.Server
	Repo     string
	Commit   string
	Files    map[string][]byte
	LFS      map[string]bool // files served through the storage host

	// Faults.
	DropAfter     atomic.Int64 // storage: cut the next full GET after this many bytes (0 = off)
	Fail503       atomic.Int32 // storage: answer 503 this many times first
	WrongSHA      bool         // announce a wrong sha256 for LFS files
	RequireToken  string       // the hub answers 401 without this bearer token
	Gated         bool         // the hub answers 403 GatedRepo
	BlobGETs      atomic.Int32 // storage GETs that sent the whole file
	RangeGETs     atomic.Int32 // storage GETs with a Range header
	Requests      atomic.Int32 // requests to either host
	AuthOnStorage atomic.Bool  // a request reached the storage host with Authorization
	mu            sync.Mutex
	RangeStarts   []int64
}

// New starts a fake hub serving files of repo at a fixed commit.
func New(repo string, files map[string][]byte, lfs ...string) *Hub {
	h := &Hub{Repo: repo, Files: files, LFS: map[string]bool{}, Commit: strings.Repeat("c0ffee", 6) + "abcd"}
	for _, f := range lfs {
		h.LFS[f] = true
	}
	h.CDN = httptest.NewServer(http.HandlerFunc(h.storage))
	h.Hub = httptest.NewServer(http.HandlerFunc(h.hub))
	return h
}

// ReadFiles reads the named files of a directory (a checkpoint to serve).
func ReadFiles(dir string, names ...string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		files[n] = b
	}
	return files, nil
}

// Close stops both servers.
func (h *Hub) Close() {
	h.Hub.Close()
	h.CDN.Close()
}

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func gitSHA1(b []byte) string {
	s := sha1.New()
	fmt.Fprintf(s, "blob %d\x00", len(b))
	s.Write(b)
	return hex.EncodeToString(s.Sum(nil))
}

func (h *Hub) hub(w http.ResponseWriter, r *http.Request) {
	h.Requests.Add(1)
	rest, ok := strings.CutPrefix(r.URL.Path, "/"+h.Repo+"/resolve/")
	if !ok {
		w.Header().Set("X-Error-Code", "RepoNotFound")
		http.Error(w, "Repository not found", http.StatusUnauthorized)
		return
	}
	if h.RequireToken != "" && r.Header.Get("Authorization") != "Bearer "+h.RequireToken {
		w.Header().Set("X-Error-Code", "RepoNotFound")
		http.Error(w, "Repository not found", http.StatusUnauthorized)
		return
	}
	if h.Gated {
		w.Header().Set("X-Error-Code", "GatedRepo")
		http.Error(w, "Access to this repository is restricted", http.StatusForbidden)
		return
	}
	rev, file, _ := strings.Cut(rest, "/")
	if rev != "main" && rev != h.Commit {
		w.Header().Set("X-Error-Code", "RevisionNotFound")
		http.Error(w, "Invalid rev id", http.StatusNotFound)
		return
	}
	data, ok := h.Files[file]
	if !ok {
		w.Header().Set("X-Error-Code", "EntryNotFound")
		http.Error(w, "Entry not found", http.StatusNotFound)
		return
	}
	w.Header().Set("X-Repo-Commit", h.Commit)
	if h.LFS[file] {
		sum := sha256Hex(data)
		if h.WrongSHA {
			sum = strings.Repeat("0", 64)
		}
		w.Header().Set("X-Linked-Etag", `"`+sum+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(data)))
		w.Header().Set("ETag", `"`+gitSHA1([]byte("pointer"))+`"`)
		w.Header().Set("Location", h.CDN.URL+"/blobs/"+file+"?signature=xyz")
		w.WriteHeader(http.StatusFound)
		return
	}
	w.Header().Set("ETag", `"`+gitSHA1(data)+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(data)
}

// storage serves the bytes of LFS files with Range support.
func (h *Hub) storage(w http.ResponseWriter, r *http.Request) {
	h.Requests.Add(1)
	if r.Header.Get("Authorization") != "" {
		h.AuthOnStorage.Store(true)
	}
	if h.Fail503.Load() > 0 {
		h.Fail503.Add(-1)
		w.Header().Set("Retry-After", "0")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	file := strings.TrimPrefix(r.URL.Path, "/blobs/")
	data, ok := h.Files[file]
	if !ok {
		http.NotFound(w, r)
		return
	}
	start := int64(0)
	if rg := r.Header.Get("Range"); rg != "" {
		h.RangeGETs.Add(1)
		s, _, _ := strings.Cut(strings.TrimPrefix(rg, "bytes="), "-")
		start, _ = strconv.ParseInt(s, 10, 64)
		h.mu.Lock()
		h.RangeStarts = append(h.RangeStarts, start)
		h.mu.Unlock()
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, len(data)-1, len(data)))
		w.Header().Set("Content-Length", strconv.FormatInt(int64(len(data))-start, 10))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		h.BlobGETs.Add(1)
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
	}
	body := data[start:]
	if cut := h.DropAfter.Swap(0); cut > 0 && cut < int64(len(body)) {
		w.Write(body[:cut])
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // the connection drops mid-file
		}
		return
	}
	w.Write(body)
}
