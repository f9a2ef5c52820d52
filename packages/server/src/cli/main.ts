/**
 * cli/ owns the `waymark` command: start, migrate, journeys validate|apply, simulate, users
 * create, report (cli/report.ts). It goes through app/ and the composition root, never storage directly. Invalid
 * input prints a readable error and exits non-zero.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { loadJourney } from '@waymark/core';
import { demoGuide, loadDemo } from '../app/demo.ts';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import { ROLES, type Role } from '../app/roles.ts';
import { firstStartLink } from '../app/setup.ts';
import { createUserFromCli } from '../app/users.ts';
import { DEFAULT_WORKSPACE } from '../app/workspaces.ts';
import { configFromEnv, type Role as ProcessRole } from '../config.ts';
import { AppError } from '../errors.ts';
import { startHttp } from '../http/index.ts';
import { formatSimulation, simulate } from '../simulate.ts';
import { addReportCommand } from './report.ts';
import { createWaymark, migrateDatabase } from '../waymark.ts';

function readInput(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError(
      'invalid_input',
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

function formatOf(path: string): 'json' | 'yaml' {
  return path.endsWith('.json') ? 'json' : 'yaml';
}

/** Builds the program (exported for tests). */
export function program(out: (s: string) => void = (s) => process.stdout.write(s)): Command {
  const cli = new Command('waymark').description('Waymark customer-journey engine').exitOverride();

  cli
    .command('start')
    .description('serve the API and run the worker (embedded store unless DATABASE_URL is set)')
    .option('--role <role>', 'api | worker | all', 'all')
    .option('--port <port>', 'HTTP port (default: PORT or 3000)')
    .option('--demo', 'load every example journey and form into the "demo" workspace')
    .action(async (opts: { role: string; port?: string; demo?: boolean }) => {
      if (!['api', 'worker', 'all'].includes(opts.role)) {
        throw new AppError(
          'invalid_input',
          `--role must be api, worker or all (got "${opts.role}")`,
        );
      }
      const role = opts.role as ProcessRole;
      const config = configFromEnv(process.env, {
        role,
        ...(opts.port ? { port: Number(opts.port) } : {}),
      });
      if (config.clock.kind === 'manual' && role !== 'all')
        throw new AppError(
          'invalid_input',
          'WAYMARK_CLOCK=manual needs --role all: a manual clock lives in one process',
        );
      const wm = await createWaymark(config, {
        onError: (err) => console.error('worker error:', err),
      });
      if (wm.generatedKeys.writeKey || wm.generatedKeys.adminToken) {
        out(
          'First start: keys of the default workspace (shown once; set WAYMARK_WRITE_KEY / WAYMARK_ADMIN_TOKEN to choose your own):\n',
        );
        if (wm.generatedKeys.writeKey) out(`  write key:   ${wm.generatedKeys.writeKey}\n`);
        if (wm.generatedKeys.adminToken) out(`  admin token: ${wm.generatedKeys.adminToken}\n`);
      }
      const demo = opts.demo ? await loadDemo(wm.deps, { timezone: config.timezone }) : null;
      const setup = role === 'worker' ? null : await firstStartLink(wm.deps);
      if (setup)
        out(
          `No users yet: open this one-time link within 24 h to create the first admin:\n  ${setup}\n`,
        );
      const http =
        role === 'worker'
          ? null
          : await startHttp(wm, { port: config.port, host: config.host, level: config.logLevel });
      if (role !== 'api') wm.worker.start();
      out(
        `Waymark ${role === 'worker' ? 'worker running' : `listening on ${http?.address}`} (store: ${config.databaseUrl.startsWith('postgres') ? 'PostgreSQL' : config.databaseUrl})\n`,
      );
      if (config.clock.kind === 'manual')
        out(
          `Manual clock at ${new Date(wm.deps.clock.now()).toISOString()}: move it with POST /api/clock {"advance": "P1D"}\n`,
        );
      if (demo) out(demoGuide(demo, http?.address ?? config.publicUrl));
      let stopping = false;
      const shutdown = async (signal: string): Promise<void> => {
        if (stopping) return;
        stopping = true;
        out(`${signal}: draining…\n`);
        await http?.close();
        await wm.close();
        out('stopped\n');
        process.exit(0);
      };
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      process.on('SIGINT', () => void shutdown('SIGINT'));
    });

  cli
    .command('migrate')
    .description('apply database migrations (they are also applied at start)')
    .action(async () => {
      const applied = await migrateDatabase(configFromEnv());
      out(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    });

  const journeys = cli.command('journeys').description('journey documents');
  journeys
    .command('validate <file>')
    .description('check a journey document (YAML or JSON)')
    .action((file: string) => {
      const result = loadJourney(readInput(file, 'journey'), { format: formatOf(file) });
      if (!result.ok) {
        out(`${file}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}\n`);
        for (const i of result.issues)
          out(`  ${i.path}: ${i.message}${i.hint ? ` (${i.hint})` : ''} [${i.code}]\n`);
        process.exitCode = 1;
        return;
      }
      for (const w of result.warnings) out(`  warning ${w.path}: ${w.message} [${w.code}]\n`);
      out(
        `${file}: valid (journey ${result.definition.id}, ${Object.keys(result.definition.nodes).length} nodes)\n`,
      );
    });
  journeys
    .command('apply <file>')
    .description('validate, save as a new version and publish (running runs stay on their version)')
    .action(async (file: string) => {
      const definition = checkJourney(readInput(file, 'journey'), formatOf(file));
      const wm = await createWaymark(configFromEnv(process.env, { role: 'api' }));
      try {
        const r = await applyJourney(wm.deps, DEFAULT_WORKSPACE, definition);
        out(
          r.changed
            ? `published ${definition.id} version ${r.version}\n`
            : `${definition.id} is unchanged (version ${r.version})\n`,
        );
      } finally {
        await wm.close();
      }
    });

  cli
    .command('simulate <journey>')
    .description('run a journey against scripted events on a virtual clock and print each route')
    .requiredOption('--events <file>', 'YAML/JSON script: start, timezone, steps[]')
    .option('--json', 'print JSON')
    .action(async (journey: string, opts: { events: string; json?: boolean }) => {
      const result = await simulate(
        readInput(journey, 'journey'),
        readInput(opts.events, 'events'),
      );
      out(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatSimulation(result));
    });

  const users = cli.command('users').description('operator users of the operator app');
  users
    .command('create')
    .description('add a user with a role and print a one-time link to set their password')
    .requiredOption('--email <email>', 'their email (they sign in with it)')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .option('--workspace <id>', 'the workspace (default: every workspace)')
    .option('--name <name>', 'their name')
    .action(async (opts: { email: string; role: string; workspace?: string; name?: string }) => {
      if (!(ROLES as readonly string[]).includes(opts.role))
        throw new AppError(
          'invalid_input',
          `--role must be ${ROLES.join(', ')} (got "${opts.role}")`,
        );
      if (!/^[^\s@]+@[^\s@]+$/.test(opts.email))
        throw new AppError('invalid_input', `--email is not an email address: "${opts.email}"`);
      const wm = await createWaymark(configFromEnv(process.env, { role: 'api' }));
      try {
        const r = await createUserFromCli(wm.deps, {
          email: opts.email,
          role: opts.role as Role,
          workspaceId: opts.workspace,
          name: opts.name,
        });
        out(`user ${r.user.email} (${opts.role}); one-time password link, valid 24 h:\n`);
        out(`  ${r.passwordUrl}\n`);
      } finally {
        await wm.close();
      }
    });

  addReportCommand(cli, out);

  return cli;
}

/** Runs the CLI with argv; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof AppError) {
      process.stderr.write(`error: ${err.message}\n`);
      for (const d of err.details)
        process.stderr.write(`  ${d.path}: ${d.message}${d.hint ? ` (${d.hint})` : ''}\n`);
      return 1;
    }
    process.stderr.write(
      `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}
