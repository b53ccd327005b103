// Time ranges: relative presets that stay relative while auto-refresh runs, absolute ranges
// from drag-to-zoom, and their URL form (?range=6h or ?from=<unix s>&to=<unix s>). Pure.
import { parseDuration } from './format.js';

export const PRESETS = ['15m', '1h', '6h', '12h', '24h', '7d', '30d', '90d', '365d'];

// A range is {last: "6h"} (live, relative to now), {from, to} (Unix seconds, fixed) or null
// (each widget's own lookback).
export function resolveRange(range, nowSeconds, fallbackLookback = '1h') {
  if (range && Number.isFinite(range.from) && Number.isFinite(range.to)) {
    return { start: range.from, end: range.to, live: false };
  }
  const span = parseDuration(range?.last ?? fallbackLookback);
  const seconds = Number.isFinite(span) ? span : 3600;
  return { start: nowSeconds - seconds, end: nowSeconds, live: true };
}

export function rangeFromParams(params) {
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  if (params.has('from') && params.has('to') && Number.isFinite(from) && Number.isFinite(to) &&
      to > from) {
    return { from, to };
  }
  const last = params.get('range');
  if (last && Number.isFinite(parseDuration(last))) return { last };
  return null;
}

export function rangeToParams(range, params) {
  params.delete('range');
  params.delete('from');
  params.delete('to');
  if (!range) return params;
  if (range.last) params.set('range', range.last);
  else {
    params.set('from', String(Math.floor(range.from)));
    params.set('to', String(Math.ceil(range.to)));
  }
  return params;
}

// Moves a resolved range back (-1) or forward (+1) by half its span; zoomOut doubles it
// around its centre. Both give fixed ranges.
export function shiftRange(resolved, direction) {
  const half = (resolved.end - resolved.start) / 2;
  return { from: resolved.start + direction * half, to: resolved.end + direction * half };
}

export function zoomOut(resolved) {
  const span = resolved.end - resolved.start;
  return { from: resolved.start - span / 2, to: resolved.end + span / 2 };
}

export function describeRange(range) {
  if (!range) return 'widget default';
  if (range.last) return `last ${range.last}`;
  const f = new Date(range.from * 1000).toLocaleString();
  const t = new Date(range.to * 1000).toLocaleString();
  return `${f} – ${t}`;
}
