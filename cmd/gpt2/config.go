package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// applyConfig gives every flag of cmd that was not set on the command line its
// value from the environment (GPT2_<KEY>) or, failing that, from the config
// file (read by viper: YAML, TOML or JSON). Values are written back into the
// flags, so each command reads its options from one place. Mistakes in the
// file or the environment are errors that name where they are, not silent
// fallbacks to defaults.
func (a *app) applyConfig(root, cmd *cobra.Command) error {
	file, err := configFile(a.global.config, cmd.Flags().Changed("config"))
	if err != nil {
		return err
	}
	fileKeys := viper.New()
	if file != "" {
		fileKeys.SetConfigFile(file)
		if ext := strings.TrimPrefix(filepath.Ext(file), "."); ext == "yml" || ext == "" {
			fileKeys.SetConfigType("yaml")
		}
		if err := fileKeys.ReadInConfig(); err != nil {
			return usagef("config %s: %v", file, err)
		}
		if err := checkKeys(file, fileKeys.AllKeys(), knownKeys(root)); err != nil {
			return err
		}
	}
	var firstErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if firstErr != nil || f.Changed || f.Name == "help" || f.Name == "version" {
			return
		}
		env := envName(f.Name)
		if s, ok := os.LookupEnv(env); ok {
			if err := setFlag(f, s); err != nil {
				firstErr = usagef("environment %s: %v", env, err)
			}
			return
		}
		if file == "" {
			return
		}
		// A command's own section (generate: {temperature: 0.7}) beats the
		// top level, so keys that several commands share (format) can differ.
		for _, key := range []string{cmd.Name() + "." + f.Name, f.Name} {
			if fileKeys.IsSet(key) {
				if err := setFlagFromConfig(f, fileKeys.Get(key)); err != nil {
					firstErr = usagef("config %s: key %q: %v", file, key, err)
				}
				return
			}
		}
	})
	if firstErr != nil {
		return firstErr
	}
	return nil
}

func envName(key string) string {
	return "GPT2_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// configFile is --config when given, else $XDG_CONFIG_HOME/gpt2/config.yaml
// (~/.config/gpt2/config.yaml) if it exists.
func configFile(flagValue string, explicit bool) (string, error) {
	if flagValue != "" {
		if _, err := os.Stat(flagValue); err != nil {
			return "", usagef("config %s: %v", flagValue, errors.Unwrap(err))
		}
		return flagValue, nil
	}
	if explicit {
		return "", nil
	}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", nil
		}
		dir = filepath.Join(home, ".config")
	}
	p := filepath.Join(dir, "gpt2", "config.yaml")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", nil
}

// knownKeys are the flags of every command, at the top level and in the
// section of each command that has them: a config file is shared by all
// commands, so a key of `generate` is not an error when running `tokenize`.
func knownKeys(root *cobra.Command) map[string]*pflag.Flag {
	keys := map[string]*pflag.Flag{}
	for _, c := range append([]*cobra.Command{root}, root.Commands()...) {
		add := func(f *pflag.Flag) {
			if f.Name == "help" || f.Name == "version" || f.Name == "config" {
				return
			}
			keys[f.Name] = f
			if c != root {
				keys[c.Name()+"."+f.Name] = f
			}
		}
		c.LocalFlags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		root.PersistentFlags().VisitAll(add)
	}
	return keys
}

func checkKeys(file string, keys []string, known map[string]*pflag.Flag) error {
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := known[k]; !ok {
			return usagef("config %s: unknown key %q", file, k)
		}
	}
	return nil
}

func setFlag(f *pflag.Flag, s string) error {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		var items []string
		if s != "" {
			items = strings.Split(s, ",")
		}
		f.Changed = true
		return sv.Replace(items)
	}
	if err := f.Value.Set(s); err != nil {
		return fmt.Errorf("%q is not a valid %s", s, typeName(f))
	}
	f.Changed = true
	return nil
}

// setFlagFromConfig sets a flag from a value decoded from YAML, TOML or JSON,
// insisting that its type fits the flag: `max-tokens: "many"` or
// `temperature: [1]` are errors, not zeros.
func setFlagFromConfig(f *pflag.Flag, val any) error {
	wrong := fmt.Errorf("%v is not a %s", val, typeName(f))
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		var items []string
		scalar := func(it any) (string, bool) {
			switch x := it.(type) {
			case string:
				return x, true
			case int, int64, uint64, float64:
				return fmt.Sprint(x), f.Value.Type() != "stringSlice" && f.Value.Type() != "stringArray"
			}
			return "", false
		}
		switch x := val.(type) {
		case []any:
			for _, it := range x {
				s, ok := scalar(it)
				if !ok {
					return wrong
				}
				items = append(items, s)
			}
		default:
			s, ok := scalar(x)
			if !ok {
				return wrong
			}
			items = strings.Split(s, ",")
		}
		f.Changed = true
		if err := sv.Replace(items); err != nil {
			return wrong
		}
		return nil
	}
	var s string
	switch f.Value.Type() {
	case "bool":
		b, ok := val.(bool)
		if !ok {
			return wrong
		}
		s = fmt.Sprint(b)
	case "int", "int64", "uint64", "uint":
		switch x := val.(type) {
		case int, int64, uint64, int32, uint32, uint:
			s = fmt.Sprint(x)
		case float64:
			if x != float64(int64(x)) {
				return wrong
			}
			s = fmt.Sprint(int64(x))
		default:
			return wrong
		}
	case "float64", "float32":
		switch x := val.(type) {
		case int, int64, uint64, int32, uint32, uint, float64, float32:
			s = fmt.Sprint(x)
		default:
			return wrong
		}
	default:
		str, ok := val.(string)
		if !ok {
			return wrong
		}
		s = str
	}
	return setFlag(f, s)
}

func typeName(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "bool":
		return "boolean"
	case "int", "int64", "uint64", "uint":
		return "whole number"
	case "float64", "float32":
		return "number"
	case "stringSlice", "stringArray":
		return "list of strings"
	}
	return "string"
}
