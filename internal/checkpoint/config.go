package checkpoint

import (
	"encoding/json"
	"fmt"
)

// Config is the shape of a GPT-2 model.
type Config struct {
	Name       string
	NLayer     int
	NHead      int
	NEmbd      int
	NCtx       int // positions the model has embeddings for
	NInner     int // MLP width, 4·NEmbd in every OpenAI size
	VocabSize  int
	Eps        float32
	Activation string // "gelu_new" (tanh approximation) or "gelu" (erf)
}

// Standard returns the shape of an OpenAI GPT-2 size (small, medium, large, xl).
func Standard(size string) (Config, bool) {
	c := Config{Name: "gpt2-" + size, NCtx: 1024, VocabSize: 50257, Eps: 1e-5, Activation: "gelu_new"}
	switch size {
	case "small":
		c.NLayer, c.NHead, c.NEmbd = 12, 12, 768
	case "medium":
		c.NLayer, c.NHead, c.NEmbd = 24, 16, 1024
	case "large":
		c.NLayer, c.NHead, c.NEmbd = 36, 20, 1280
	case "xl":
		c.NLayer, c.NHead, c.NEmbd = 48, 25, 1600
	default:
		return Config{}, false
	}
	c.NInner = 4 * c.NEmbd
	return c, true
}

// HeadDim is the width of one attention head.
func (c Config) HeadDim() int { return c.NEmbd / c.NHead }

// check refuses shapes no GPT-2 can have, before anything is sized from them.
func (c Config) check() error {
	bad := func(what string, v int, lo, hi int) error {
		if v < lo || v > hi {
			return fmt.Errorf("%s = %d is outside %d..%d", what, v, lo, hi)
		}
		return nil
	}
	for _, err := range []error{
		bad("n_layer", c.NLayer, 1, 1024),
		bad("n_head", c.NHead, 1, 1024),
		bad("n_embd", c.NEmbd, 1, 1<<16),
		bad("n_ctx", c.NCtx, 1, 1<<20),
		bad("n_inner", c.NInner, 1, 1<<18),
		bad("vocab_size", c.VocabSize, 1, 1<<22),
	} {
		if err != nil {
			return err
		}
	}
	if c.NEmbd%c.NHead != 0 {
		return fmt.Errorf("n_embd %d is not a multiple of n_head %d", c.NEmbd, c.NHead)
	}
	if !(c.Eps > 0 && c.Eps < 1) {
		return fmt.Errorf("layer_norm_epsilon %g is not a small positive number", c.Eps)
	}
	if c.Activation != "gelu_new" && c.Activation != "gelu" {
		return fmt.Errorf("activation %q is not supported (gelu_new, gelu)", c.Activation)
	}
	return nil
}

// ParseHFConfig reads a Hugging Face GPT2Config (config.json).
func ParseHFConfig(b []byte) (Config, error) {
	var raw struct {
		ModelType     string   `json:"model_type"`
		NLayer        *int     `json:"n_layer"`
		NHead         *int     `json:"n_head"`
		NEmbd         *int     `json:"n_embd"`
		NPositions    *int     `json:"n_positions"`
		NCtx          *int     `json:"n_ctx"`
		NInner        *int     `json:"n_inner"`
		VocabSize     *int     `json:"vocab_size"`
		Eps           *float64 `json:"layer_norm_epsilon"`
		Activation    *string  `json:"activation_function"`
		ScaleByLayer  bool     `json:"scale_attn_by_inverse_layer_idx"`
		ScaleWeights  *bool    `json:"scale_attn_weights"`
		NameOrPath    string   `json:"_name_or_path"`
		Architectures []string `json:"architectures"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Config{}, fmt.Errorf("config.json: %v", err)
	}
	if raw.ModelType != "" && raw.ModelType != "gpt2" {
		return Config{}, fmt.Errorf("config.json: model_type %q is not gpt2", raw.ModelType)
	}
	// GPT2Config's defaults are GPT-2 small's.
	c := Config{NLayer: 12, NHead: 12, NEmbd: 768, NCtx: 1024, VocabSize: 50257, Eps: 1e-5, Activation: "gelu_new", Name: raw.NameOrPath}
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.NLayer, raw.NLayer)
	set(&c.NHead, raw.NHead)
	set(&c.NEmbd, raw.NEmbd)
	if raw.NCtx != nil {
		c.NCtx = *raw.NCtx
	}
	set(&c.NCtx, raw.NPositions) // n_positions is what sizes wpe; n_ctx is older
	set(&c.VocabSize, raw.VocabSize)
	c.NInner = 4 * c.NEmbd
	set(&c.NInner, raw.NInner)
	if raw.Eps != nil {
		c.Eps = float32(*raw.Eps)
	}
	if raw.Activation != nil {
		switch *raw.Activation {
		case "gelu_new", "gelu_pytorch_tanh", "gelu_fast":
			c.Activation = "gelu_new"
		default:
			c.Activation = *raw.Activation
		}
	}
	if raw.ScaleByLayer || (raw.ScaleWeights != nil && !*raw.ScaleWeights) {
		return Config{}, fmt.Errorf("config.json: non-standard attention scaling is not supported")
	}
	if err := c.check(); err != nil {
		return Config{}, fmt.Errorf("config.json: %v", err)
	}
	return c, nil
}
