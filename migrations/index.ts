// knex cannot load .ts migration files under every runner, so the list is explicit: add a new
// migration here, in order. Landed migrations are never edited.
import type { Knex } from 'knex';
import * as m0100 from './20261127000100_create_services_and_checks.js';
import * as m0200 from './20261127000200_create_check_results.js';
import * as m0300 from './20261127000300_create_check_rollups.js';
import * as m0400 from './20261127000400_create_incidents.js';
import * as m0500 from './20261127000500_create_incident_events.js';
import * as m0600 from './20261127000600_create_known_errors.js';
import * as m0700 from './20261127000700_create_users.js';
import * as m0800 from './20261127000800_create_sessions.js';
import * as m0900 from './20261127000900_create_api_tokens.js';
import * as m1000 from './20261127001000_create_notification_outbox.js';
import * as m1100 from './20261127001100_create_maintenance_windows.js';
import * as m1200 from './20261127001200_create_settings.js';
import * as m1400 from './20261127001400_add_check_source.js';
import * as m1300 from './20261127001300_create_rollup_progress.js';
import * as m1600 from './20261127001600_add_known_error_cause.js';
import * as m1700 from './20261127001700_add_sla_warn_times.js';
import * as m1800 from './20261127001800_add_incident_reminders.js';
import * as m1900 from './20261127001900_add_queue_order_index.js';
import * as m2000 from './20261127002000_create_check_leases.js';
import * as m2100 from './20261127002100_create_check_location_states.js';
import * as m1203_0100 from './20261203000100_add_pause_kind.js';
import * as m1203_0200 from './20261203000200_create_check_outages.js';
import * as r0300 from './20261203000300_create_report_mailings.js';
import * as a0100 from './20261204000100_create_audit_events.js';
import * as login0200 from './20261204000200_create_login_attempts.js';
import * as login0210 from './20261204000210_add_token_expiry_and_scope.js';
import * as login0220 from './20261204000220_add_must_change_password.js';
import * as reporter0100 from './20261205000100_add_reporter_channel_and_informing.js';
import * as live0300 from './20261205000300_add_incident_change_index.js';
import * as integrity0100 from './20261206000100_add_integrity_baselines.js';
import * as search0100 from './20261207000100_create_incident_search.js';

interface Migration {
  name: string;
  up: (knex: Knex) => Promise<void>;
  down: (knex: Knex) => Promise<void>;
}

const migrations: Migration[] = [
  { name: '20261127000100_create_services_and_checks', ...m0100 },
  { name: '20261127000200_create_check_results', ...m0200 },
  { name: '20261127000300_create_check_rollups', ...m0300 },
  { name: '20261127000400_create_incidents', ...m0400 },
  { name: '20261127000500_create_incident_events', ...m0500 },
  { name: '20261127000600_create_known_errors', ...m0600 },
  { name: '20261127000700_create_users', ...m0700 },
  { name: '20261127000800_create_sessions', ...m0800 },
  { name: '20261127000900_create_api_tokens', ...m0900 },
  { name: '20261127001000_create_notification_outbox', ...m1000 },
  { name: '20261127001100_create_maintenance_windows', ...m1100 },
  { name: '20261127001200_create_settings', ...m1200 },
  { name: '20261127001300_create_rollup_progress', ...m1300 },
  { name: '20261127001400_add_check_source', ...m1400 },
  { name: '20261127001600_add_known_error_cause', ...m1600 },
  { name: '20261127001700_add_sla_warn_times', ...m1700 },
  { name: '20261127001800_add_incident_reminders', ...m1800 },
  { name: '20261127001900_add_queue_order_index', ...m1900 },
  { name: '20261127002000_create_check_leases', ...m2000 },
  { name: '20261127002100_create_check_location_states', ...m2100 },
  { name: '20261203000100_add_pause_kind', ...m1203_0100 },
  { name: '20261203000200_create_check_outages', ...m1203_0200 },
  { name: '20261203000300_create_report_mailings', ...r0300 },
  { name: '20261204000100_create_audit_events', ...a0100 },
  { name: '20261204000200_create_login_attempts', ...login0200 },
  { name: '20261204000210_add_token_expiry_and_scope', ...login0210 },
  { name: '20261204000220_add_must_change_password', ...login0220 },
  { name: '20261205000100_add_reporter_channel_and_informing', ...reporter0100 },
  { name: '20261205000300_add_incident_change_index', ...live0300 },
  { name: '20261206000100_add_integrity_baselines', ...integrity0100 },
  { name: '20261207000100_create_incident_search', ...search0100 },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => migrations,
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};
