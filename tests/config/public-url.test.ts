import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config.js';

/** The problems a config is refused for, or a failure if it is accepted. */
function problemsOf(text: string, env: NodeJS.ProcessEnv): string[] {
  try {
    parseConfig(text, 'sigap.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the config was accepted');
}

const FILE_BASE_URL = 'notifications:\n  baseUrl: "https://sigap.dpmptsp.example/"\n';

describe('PUBLIC_URL: the address people use', () => {
  it('is the public address and the base of links in messages, over notifications.baseUrl, without a trailing slash', () => {
    const config = parseConfig(FILE_BASE_URL, 'sigap.yaml', { PUBLIC_URL: 'https://sigap.kabupaten.example.go.id/' });
    expect(config.publicUrl).toBe('https://sigap.kabupaten.example.go.id');
    expect(config.notifications.baseUrl).toBe('https://sigap.kabupaten.example.go.id');
  });

  it('falls back to notifications.baseUrl of the file', () => {
    const config = parseConfig(FILE_BASE_URL, 'sigap.yaml', {});
    expect(config.publicUrl).toBe('https://sigap.dpmptsp.example');
    expect(config.notifications.baseUrl).toBe('https://sigap.dpmptsp.example');
  });

  it('is unknown without either, and links then point at http://HOST:PORT', () => {
    const config = parseConfig('services: []\n', 'sigap.yaml', { HOST: '10.0.0.5', PORT: '8080' });
    expect(config.publicUrl).toBeNull();
    expect(config.notifications.baseUrl).toBe('http://10.0.0.5:8080');
  });

  it.each(['sigap.kabupaten.example.go.id', 'ftp://sigap.example/', 'https://sigap.example/?x=1', 'https://sigap.example/#top', '/sigap'])(
    'stops the start for PUBLIC_URL=%s, naming the variable',
    (value) => {
      const problems = problemsOf('services: []\n', { PUBLIC_URL: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^environment: PUBLIC_URL: must be an http:\/\/ or https:\/\/ /);
    },
  );
});
