package render

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
)

// DejaVu Sans and Sans Bold from Debian's fonts-dejavu-core 2.37 (fonts/LICENSE holds their
// copyright and licence): they cover Latin, Greek and Cyrillic, so "Zürich" and "Ελλάδα" print.
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
)

// runeSet tells which runes of the Basic Multilingual Plane a font can draw.
type runeSet [65536 / 64]uint64

func (s *runeSet) has(r rune) bool {
	return r >= 0 && r < 65536 && s[r>>6]&(1<<(uint(r)&63)) != 0
}

func (s *runeSet) add(r rune) {
	if r >= 0 && r < 65536 {
		s[r>>6] |= 1 << (uint(r) & 63)
	}
}

// cmapRunes reads the BMP runes a TrueType font maps to a glyph, from its Windows Unicode cmap
// (platform 3, encoding 1, format 4).
func cmapRunes(ttf []byte) (*runeSet, error) {
	be := binary.BigEndian
	if len(ttf) < 12 {
		return nil, errors.New("font too short")
	}
	n := int(be.Uint16(ttf[4:]))
	var cmap []byte
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			return nil, errors.New("truncated table directory")
		}
		if string(ttf[rec:rec+4]) == "cmap" {
			off, ln := int(be.Uint32(ttf[rec+8:])), int(be.Uint32(ttf[rec+12:]))
			if off+ln > len(ttf) {
				return nil, errors.New("cmap out of range")
			}
			cmap = ttf[off : off+ln]
		}
	}
	if len(cmap) < 4 {
		return nil, errors.New("no cmap table")
	}
	var sub []byte
	for i := 0; i < int(be.Uint16(cmap[2:])); i++ {
		rec := 4 + 8*i
		if rec+8 > len(cmap) {
			break
		}
		if be.Uint16(cmap[rec:]) == 3 && be.Uint16(cmap[rec+2:]) == 1 {
			off := int(be.Uint32(cmap[rec+4:]))
			if off < len(cmap) {
				sub = cmap[off:]
			}
		}
	}
	if len(sub) < 14 || be.Uint16(sub) != 4 {
		return nil, errors.New("no format 4 unicode cmap")
	}
	segs := int(be.Uint16(sub[6:])) / 2
	ends, starts := 14, 16+2*segs
	deltas, ranges := starts+2*segs, starts+4*segs
	if ranges+2*segs > len(sub) {
		return nil, errors.New("truncated cmap format 4")
	}
	set := new(runeSet)
	for s := 0; s < segs; s++ {
		end, start := int(be.Uint16(sub[ends+2*s:])), int(be.Uint16(sub[starts+2*s:]))
		delta, ro := int(be.Uint16(sub[deltas+2*s:])), int(be.Uint16(sub[ranges+2*s:]))
		for c := start; c <= end && c < 0xFFFF; c++ {
			glyph := 0
			if ro == 0 {
				glyph = (c + delta) & 0xFFFF
			} else {
				at := ranges + 2*s + ro + 2*(c-start)
				if at+2 > len(sub) {
					continue
				}
				if g := int(be.Uint16(sub[at:])); g != 0 {
					glyph = (g + delta) & 0xFFFF
				}
			}
			if glyph != 0 {
				set.add(rune(c))
			}
		}
	}
	return set, nil
}

// fontRunes is the set of runes both embedded fonts can draw.
func fontRunes() (*runeSet, error) {
	a, err := cmapRunes(dejaVuSans)
	if err != nil {
		return nil, fmt.Errorf("reading DejaVuSans.ttf: %w", err)
	}
	b, err := cmapRunes(dejaVuSansBold)
	if err != nil {
		return nil, fmt.Errorf("reading DejaVuSans-Bold.ttf: %w", err)
	}
	for i := range a {
		a[i] &= b[i]
	}
	return a, nil
}
