// The header every page shares: title, links to the five pages, theme switch (auto follows
// prefers-color-scheme; dark/light are remembered in localStorage or forced by ?theme=).
import { uiConfig } from './api.js';

const PAGES = [['/', 'Dashboard', 'dashboard'], ['/explore', 'Explore', 'explore'],
  ['/dashboard/edit', 'Editor', 'editor'], ['/engine', 'Engine', 'engine'], ['/api-tester', 'API', 'api-tester']];
const THEMES = ['auto', 'dark', 'light'];

function applyTheme(theme) {
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export async function initPage(page, heading) {
  const params = new URLSearchParams(location.search);
  let theme = params.get('theme') || localStorage.getItem('nanotdb.theme') || 'auto';
  if (!THEMES.includes(theme)) theme = 'auto';
  applyTheme(theme);
  const config = await uiConfig();
  document.title = `${heading} · ${config.title}`;
  const header = document.getElementById('top');
  const themeBtn = document.createElement('button');
  themeBtn.type = 'button';
  themeBtn.className = 'theme';
  const label = () => { themeBtn.textContent = `◐ ${theme}`; };
  themeBtn.title = 'Theme: auto (system), dark or light';
  themeBtn.addEventListener('click', () => {
    theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
    localStorage.setItem('nanotdb.theme', theme);
    applyTheme(theme);
    label();
    window.dispatchEvent(new Event('themechange'));
  });
  label();
  const brand = document.createElement('a');
  brand.href = '/';
  brand.className = 'brand';
  brand.textContent = config.title;
  const nav = document.createElement('nav');
  nav.setAttribute('aria-label', 'Pages');
  for (const [href, text, key] of PAGES) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    if (key === page) a.setAttribute('aria-current', 'page');
    nav.append(a);
  }
  header.replaceChildren(brand, nav, themeBtn);
  return config;
}
