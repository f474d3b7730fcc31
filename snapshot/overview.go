package snapshot

import "context"

// OverviewSchemaVersion is the schema_version of the Overview document (`show --format json`).
const OverviewSchemaVersion = 1

// Overview is what `cucm-audit show` prints of one snapshot: its metadata, coverage and counts.
type Overview struct {
	SchemaVersion int          `json:"schema_version"`
	Snapshot      Meta         `json:"snapshot"`
	Coverage      []Coverage   `json:"coverage"`
	AXL           []ClassCount `json:"axl_by_class"`
	RisPort       []ClassCount `json:"risport_by_class_status"`
}

// Overview reads the overview of the snapshot ref names (an id, latest or latest~N).
func (s *Store) Overview(ctx context.Context, ref string) (Overview, error) {
	m, err := s.Resolve(ctx, ref, "")
	if err != nil {
		return Overview{}, err
	}
	v := Overview{SchemaVersion: OverviewSchemaVersion, Snapshot: m}
	if v.Coverage, err = s.Coverage(ctx, m.ID); err != nil {
		return v, err
	}
	if v.AXL, err = s.AXLCounts(ctx, m.ID); err != nil {
		return v, err
	}
	if v.RisPort, err = s.RisCounts(ctx, m.ID); err != nil {
		return v, err
	}
	if v.Coverage == nil {
		v.Coverage = []Coverage{}
	}
	return v, nil
}
