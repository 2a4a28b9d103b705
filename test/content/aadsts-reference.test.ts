import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CAUSE_IDS } from '../../src/domain/causes';
import { entraCode, isBenignCode } from '../../src/domain/entra-codes';

/**
 * content/<locale>/entra-codes.yaml against Microsoft's published AADSTS table as the repository
 * keeps it (docs/reference/aadsts-codes.md): every code the bot explains must be in the table,
 * point to a cause the table allows, say what the table says it must, and benign codes must be
 * benign there.
 */
interface ReferenceRow {
  code: number;
  name: string;
  causes: string[];
  mustMention: string[];
}

const ROOT = join(__dirname, '..', '..');

function readReference(): Map<number, ReferenceRow> {
  const text = readFileSync(join(ROOT, 'docs', 'reference', 'aadsts-codes.md'), 'utf8');
  const rows = new Map<number, ReferenceRow>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | Code | Name | Summary | Causes | Must mention | Source |
    if (cells.length < 8 || !/^\d+$/.test(cells[1]!)) continue;
    const code = Number(cells[1]);
    assert.ok(!rows.has(code), `AADSTS${code} is listed twice in the reference`);
    rows.set(code, {
      code,
      name: cells[2]!,
      causes: cells[4]!
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
      mustMention: cells[5]!
        .split(';')
        .map((w) => w.trim())
        .filter(Boolean),
    });
    assert.ok(cells[3]!.length > 10, `AADSTS${code} has a summary`);
    assert.match(cells[6]!, /^[TPSC](, [TPSC])*$/, `AADSTS${code} names its source`);
  }
  return rows;
}

function localesWithCodes(): string[] {
  return readdirSync(join(ROOT, 'content')).filter((l) => existsSync(join(ROOT, 'content', l, 'entra-codes.yaml')));
}

describe('AADSTS codes against Microsoft published table (docs/reference/aadsts-codes.md)', () => {
  const reference = readReference();

  it('when the reference table is read, then it is a table of codes with known causes', () => {
    assert.ok(reference.size >= 30, `${reference.size} rows`);
    for (const row of reference.values()) {
      for (const cause of row.causes) assert.ok(cause === 'benign' || (CAUSE_IDS as readonly string[]).includes(cause), `AADSTS${row.code}: ${cause} is a cause id or benign`);
    }
  });

  for (const locale of localesWithCodes()) {
    const file = parse(readFileSync(join(ROOT, 'content', locale, 'entra-codes.yaml'), 'utf8')) as {
      codes: Record<string, { cause: string; meaning: string }>;
      benign: Record<string, string>;
    };

    it(`when content/${locale}/entra-codes.yaml maps a code to a cause, then the code is in the table and the table allows that cause`, () => {
      for (const [code, { cause }] of Object.entries(file.codes)) {
        const row = reference.get(Number(code));
        assert.ok(row, `AADSTS${code} is not in docs/reference/aadsts-codes.md`);
        assert.ok(!row.causes.includes('benign') || row.causes.length > 1, `AADSTS${code} is benign in the table`);
        assert.ok(row.causes.includes(cause), `AADSTS${code} (${row.name}) points to ${cause}, the table allows ${row.causes.join(', ')}`);
      }
    });

    if (locale === 'en') {
      it('when the English meaning of a code is written, then it says what the table says it must', () => {
        for (const [code, { meaning }] of Object.entries(file.codes)) {
          for (const word of reference.get(Number(code))?.mustMention ?? []) {
            assert.ok(meaning.toLowerCase().includes(word.toLowerCase()), `AADSTS${code}: "${meaning}" should mention "${word}"`);
          }
        }
      });
    }

    it(`when content/${locale}/entra-codes.yaml lists a benign code, then the table marks it benign`, () => {
      for (const code of Object.keys(file.benign)) {
        const row = reference.get(Number(code));
        assert.ok(row, `AADSTS${code} is not in docs/reference/aadsts-codes.md`);
        assert.ok(row.causes.includes('benign'), `AADSTS${code} (${row.name}) is not benign in the table`);
      }
    });
  }

  it('when the bot loads its codes, then 50173 names an admin revocation, 50053 a malicious IP, and the device and pass-through codes are known', () => {
    assert.match(entraCode(50173)!.plain, /admin/);
    assert.match(entraCode(50053)!.plain, /malicious/);
    for (const code of [50155, 135011, 700003]) assert.equal(entraCode(code)?.causeId, 'device-trust-broken', `AADSTS${code}`);
    for (const code of [80001, 80002, 80005, 80007, 80010, 80012, 80013, 80014]) {
      assert.ok(entraCode(code), `AADSTS${code} is known`);
      assert.equal(isBenignCode(code), false, `AADSTS${code} is a failure`);
    }
  });
});
