package nn

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// Save writes the model's parameters to the file path in the safetensors
// format (see [Sequential.WriteTo]), atomically: it writes a temporary
// file in the same directory, syncs it to disk and renames it over path,
// so a failed or interrupted save leaves any previous file intact.
//
// A model with a parameter that is NaN or ±Inf is not saved: Save
// returns an error wrapping ErrNotFinite that names the tensor, before
// it creates any file. Load refuses such a file too.
func (s *Sequential) Save(path string) (err error) {
	if err := s.checkFinite(); err != nil {
		return fmt.Errorf("nn.Sequential.Save: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("nn.Sequential.Save: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("nn.Sequential.Save: %w", err)
		}
	}()
	w := bufio.NewWriter(f)
	if _, err = s.WriteTo(w); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable. Not every system can sync a
	// directory (Windows cannot); the file is in place either way.
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Load reads the model's parameters from a file that Save (or PyTorch's
// safetensors) wrote, with the checks of [Sequential.ReadFrom]: on error
// the model is unchanged. A file holding a NaN or ±Inf is refused.
func (s *Sequential) Load(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("nn.Sequential.Load: %w", err)
	}
	defer f.Close()
	if _, err := s.readFrom(bufio.NewReader(f)); err != nil {
		return fmt.Errorf("nn.Sequential.Load: %s: %w", path, err)
	}
	return nil
}
