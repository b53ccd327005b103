// Time ranges: relative presets that stay relative while auto-refresh runs, absolute ranges
// from drag-to-zoom, and their URL form (?range=6h or ?from=<unix s>&to=<unix s>). Pure.
import { parseDuration } from './format.js';

export const PRESETS = ['5m', '15m', '1h', '6h', '12h', '24h', '7d', '30d', '90d', '365d'];

// "Last 5m" … "Last 1y" (365d is a year).
export function presetLabel(p) {
  return `Last ${p === '365d' ? '1y' : p}`;
}

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
  const last = params.get('range') === '1y' ? '365d' : params.get('range');
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

// Unix seconds as the value of an <input type="datetime-local"> (local time, to the minute),
// and back; NaN for an empty or unreadable value.
export function toLocalInput(unixSeconds) {
  const d = new Date(Math.round(unixSeconds / 60) * 60000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:` +
      pad(d.getMinutes());
}

export function fromLocalInput(text) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(String(text ?? ''))) return NaN;
  return new Date(text).getTime() / 1000;
}

// A fixed range from two datetime-local values, or {error} naming what is wrong.
export function absoluteRange(fromText, toText) {
  const from = fromLocalInput(fromText);
  const to = fromLocalInput(toText);
  if (!Number.isFinite(from)) return { error: 'From is not a date and time' };
  if (!Number.isFinite(to)) return { error: 'To is not a date and time' };
  if (to <= from) return { error: 'To must be after From' };
  return { from, to };
}

export function describeRange(range) {
  if (!range) return 'widget default';
  if (range.last) return presetLabel(range.last).toLowerCase();
  const f = new Date(range.from * 1000).toLocaleString();
  const t = new Date(range.to * 1000).toLocaleString();
  return `${f} – ${t}`;
}
