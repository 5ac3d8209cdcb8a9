package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// readBatch reads --batch: one prompt per line, as plain text, a JSON
// string, or a JSON object {"prompt": ..., "id": ...} that may also set
// sampling keys for its line (named as the flags, with - or _).
func (a *app) readBatch(o generateOptions) ([]*job, error) {
	var r io.Reader = a.stdin
	name := "stdin"
	if o.batch != "-" {
		f, err := os.Open(o.batch)
		if err != nil {
			return nil, fmt.Errorf("--batch: %v", stripPath(err, o.batch))
		}
		defer f.Close()
		r, name = f, o.batch
	}
	br := bufio.NewReaderSize(r, 1<<16)
	var jobs []*job
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("--batch %s: %v", name, err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) == 0 {
			continue // blank lines separate nothing
		}
		j, err := parseBatchLine(line, o)
		if err != nil {
			return nil, usagef("--batch %s line %d: %v", name, lineNo, err)
		}
		if j.id == nil {
			j.id = lineNo
		}
		jobs = append(jobs, j)
	}
	if len(jobs) == 0 {
		return nil, usagef("--batch %s: no prompts", name)
	}
	return jobs, nil
}

func parseBatchLine(line []byte, o generateOptions) (*job, error) {
	j := &job{opts: o}
	switch trimmed := bytes.TrimSpace(line); {
	case trimmed[0] == '"':
		if err := json.Unmarshal(trimmed, &j.prompt); err != nil {
			return nil, fmt.Errorf("not a JSON string: %v", err)
		}
		return j, nil
	case trimmed[0] == '{':
	default:
		j.prompt = string(line)
		return j, nil
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	raw, ok := obj["prompt"]
	if !ok {
		return nil, fmt.Errorf(`no "prompt"`)
	}
	if err := json.Unmarshal(raw, &j.prompt); err != nil {
		return nil, fmt.Errorf(`"prompt" is not a string`)
	}
	for key, val := range obj {
		if err := j.set(key, val); err != nil {
			return nil, fmt.Errorf("key %q: %v", key, err)
		}
	}
	return j, j.opts.check()
}

// set applies one key of a batch line.
func (j *job) set(key string, val json.RawMessage) error {
	o := &j.opts
	var dst any
	switch strings.ReplaceAll(key, "_", "-") {
	case "prompt":
		return nil
	case "id":
		var id any
		dec := json.NewDecoder(bytes.NewReader(val))
		dec.UseNumber()
		if err := dec.Decode(&id); err != nil {
			return err
		}
		j.id = id
		return nil
	case "max-tokens":
		dst = &o.maxTokens
	case "temperature":
		dst = &o.temperature
	case "top-k":
		dst = &o.topK
	case "top-p":
		dst = &o.topP
	case "min-p":
		dst = &o.minP
	case "typical-p":
		dst = &o.typicalP
	case "repetition-penalty":
		dst = &o.repetitionPenalty
	case "presence-penalty":
		dst = &o.presencePenalty
	case "frequency-penalty":
		dst = &o.frequencyPenalty
	case "seed":
		dst = &o.seed
	case "ignore-eos":
		dst = &o.ignoreEOS
	case "n":
		dst = &o.n
	case "logprobs":
		dst = &o.logprobs
	case "echo":
		dst = &o.echo
	case "truncate":
		dst = &o.truncate
	case "stop":
		var one string
		if json.Unmarshal(val, &one) == nil {
			o.stop = []string{one}
			return nil
		}
		dst = &o.stop
	default:
		return fmt.Errorf("not a generate setting")
	}
	if err := json.Unmarshal(val, dst); err != nil {
		return fmt.Errorf("wrong type: %s", val)
	}
	return nil
}
