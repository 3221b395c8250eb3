// A refusal said to a person: zod's issues by their code and facts, Sigap's own messages by pattern,
// store and lifecycle errors by their kind — in Indonesian with the field in words, never English.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { localizeError } from '../../api/error-text.js';
import { loadTranslator } from '../../api/i18n.js';
import { DuplicateError, InvalidTransitionError, issueDetails, SigapError, ValidationError } from '../../detector/errors.js';
import { ActionNotApplicableError } from '../../detector/incidents/incident-actions.js';
import { PROJECT_ROOT } from '../helpers/sigap-process.js';

const t = loadTranslator(join(PROJECT_ROOT, 'views', 'locales'));
const schema = z
  .object({
    impact: z.enum(['high', 'medium', 'low']),
    title: z.string().trim().min(1),
    password: z.string().min(8, 'must be at least 8 characters'),
    email: z.email(),
    url: z.url(),
    startsAt: z.iso.datetime(),
    level: z.number().int().max(2),
    weekdays: z.array(z.string()).min(1),
    reporter: z.object({ name: z.string().min(1) }),
  })
  .strict();

describe('error text', () => {
  const bad = schema.safeParse({
    impact: 'huge',
    title: ' ',
    password: 'short',
    email: 'x',
    url: 'y',
    startsAt: 'besok',
    level: 7,
    weekdays: [],
    reporter: { name: '' },
    extra: 1,
  });
  const shown = localizeError(new ValidationError('the request has invalid values', issueDetails(bad.error!.issues)), 'id', t);
  const byPath = Object.fromEntries(shown.details.map((d) => [d.path, `${d.field}: ${d.message}`]));

  it.each([
    ['impact', 'Dampak: pilih salah satu: tinggi, sedang, rendah'],
    ['title', 'Judul: wajib diisi'],
    ['password', 'Kata sandi: paling sedikit 8 karakter'],
    ['email', 'E-mail: harus alamat e-mail, misalnya nama@contoh.go.id'],
    ['url', 'URL: harus alamat web lengkap, misalnya https://contoh.go.id/'],
    ['startsAt', 'Mulai: harus tanggal dan jam, misalnya 2026-12-05T22:00'],
    ['level', 'Level eskalasi: paling besar 2'],
    ['weekdays', 'Hari: pilih paling sedikit 1'],
    ['reporter.name', 'Nama pelapor: wajib diisi'],
    ['extra', 'null: isian ini tidak dikenal'],
  ])('says the zod issue on %s in Indonesian', (path, text) => {
    expect(byPath[path]).toBe(text);
    expect(shown.message).toBe('Ada isian yang belum benar; perbaiki yang ditandai.');
  });

  it('says Sigap’s own detail messages and falls back to a plain sentence, never English', () => {
    const own = localizeError(
      new ValidationError('x', [
        { path: 'currentPassword', message: 'is not your current password' },
        { path: 'subcategory', message: 'must be one of dns, connection for network' },
        { path: 'closureCode', message: 'verification: not_healthy, remainingMs 900000' },
        { path: 'expiresOn', message: 'some message no table knows' },
        { path: 'check.interval', message: 'must be a duration like 30s' },
      ]),
      'id',
      t,
    );
    expect(own.details.map((d) => `${d.field}: ${d.message}`)).toEqual([
      'Kata sandi saat ini: bukan kata sandi Anda saat ini',
      'Subkategori: pilih salah satu: DNS, koneksi',
      'Konfirmasi pelapor: pemeriksaan belum sehat; paling cepat 15 menit lagi',
      'Berlaku sampai: isinya tidak dapat diterima',
      // a check's YAML key path is its name: the page shows it as code
      'null: isinya tidak dapat diterima',
    ]);
  });

  it('names the field of a duplicate as SQLite and PostgreSQL report it', () => {
    for (const constraint of ['users.username', 'users_username_unique']) {
      const dup = localizeError(new DuplicateError(constraint), 'id', t);
      expect(dup.message).toBe('Nama pengguna sudah dipakai.');
      expect(dup.details).toEqual([{ path: 'username', field: 'Nama pengguna', message: 'sudah dipakai' }]);
    }
  });

  it('says a refused transition with its states in words, and any other error by its code', () => {
    expect(localizeError(new InvalidTransitionError('closed', 'assigned', []), 'id', t).message).toBe(
      'Insiden berstatus Ditutup tidak dapat menjadi Ditangani. Yang boleh: tidak ada (status akhir).',
    );
    const notApplicable = localizeError(new ActionNotApplicableError('reopen', 'new'), 'id', t);
    expect(notApplicable.message).toBe(
      '"Buka kembali" tidak berlaku untuk insiden berstatus Baru. Yang dapat dilakukan: Terima (ambil alih), Tugaskan, Tambah catatan, Ubah prioritas, Eskalasi, Libatkan kepala bidang, Batalkan insiden.',
    );
    expect(notApplicable.details.map((d) => d.message)).toEqual(['dari status Baru hanya boleh ke: Ditangani, Dieskalasi, Dibatalkan']);
    expect(localizeError(new SigapError('not_found', 'no route GET /x'), 'id', t).message).toBe('Halaman /x tidak ada.');
    expect(localizeError(new SigapError('storage_unavailable', 'database unavailable: ECONNREFUSED'), 'id', t).message).toMatch(/^Basis data sedang tidak dapat dipakai/);
    expect(localizeError(new SigapError('conflict', 'something new and English'), 'en', t).message).toBe('Things changed meanwhile: reload the page and try again.');
  });
});
