/** install.json, the marker the installer writes last: no marker means not installed. */
import { MARKER_FIELDS, type Marker } from '../contract.js';
import { readJsonObject } from './files.js';

/** The marker, or null when it is missing or not a marker the installer wrote. */
export function readMarker(path: string): Marker | null {
  const record = readJsonObject(path);
  if (!record) return null;
  const complete = MARKER_FIELDS.every(
    (field) => typeof record[field] === 'string' && (record[field] !== '' || field === 'extras'),
  );
  if (!complete) return null;
  return Object.fromEntries(MARKER_FIELDS.map((field) => [field, record[field]])) as Marker;
}

/** The clouds a marker's requirement installed the libraries of (its extras). */
export function markerExtras(marker: Marker): string[] {
  return marker.extras.split(',').filter(Boolean);
}
