import { describe, expect, it } from 'vitest';
import { insightsTime, logQuery, logRow, queryWindow, startQueryCommand } from '../../ops/trace/log-query.ts';

const KEY = '0123456789abcdef';

describe('the Logs Insights query of a number', () => {
  it('finds its lines by number_key, with the fields of its story, newest first', () => {
    expect(logQuery(KEY)).toBe(
      [
        'fields @timestamp, message, outcome, face, correlation_id, reference, status_id, error.code',
        '| filter number_key = "0123456789abcdef"',
        '| sort @timestamp desc',
        '| limit 100',
      ].join('\n'),
    );
  });

  it('covers --since up to now, in the epoch seconds StartQuery takes', () => {
    const now = Date.parse('2026-12-01T10:00:00.500Z');
    expect(queryWindow(now, 3_600_000)).toEqual({
      startTime: Date.parse('2026-12-01T09:00:00.000Z') / 1000,
      endTime: Date.parse('2026-12-01T10:00:01.000Z') / 1000,
    });
  });

  it('prints a ready aws logs start-query, each value quoted for the shell', () => {
    const command = startQueryCommand("/aws/lambda/it's", logQuery(KEY), { startTime: 100, endTime: 200 });
    expect(command).toBe(
      `aws logs start-query --log-group-name '/aws/lambda/it'\\''s' --start-time 100 --end-time 200 --query-string 'fields @timestamp, message, outcome, face, correlation_id, reference, status_id, error.code | filter number_key = "${KEY}" | sort @timestamp desc | limit 100'`,
    );
  });
});

describe('a result row', () => {
  it('drops @ptr, shows times as ISO 8601, keeps AWS ids and masks anything phone-like', () => {
    const row = logRow([
      { field: '@timestamp', value: '2026-12-01 09:30:00.123' },
      { field: 'message', value: 'status update moved to the dead-letter queue' },
      { field: 'correlation_id', value: '0f1e2d3c-1234-5678-9abc-def012345678' },
      { field: 'reference', value: 'crm-48700000126' },
      { field: 'status_id', value: '3' },
      { field: '@ptr', value: 'CmAKJgoi' },
      { value: 'no field' },
    ]);
    expect(row).toEqual({
      '@timestamp': '2026-12-01T09:30:00.123Z',
      message: 'status update moved to the dead-letter queue',
      correlation_id: '0f1e2d3c-1234-5678-9abc-def012345678',
      reference: 'crm-********126',
      status_id: '3',
    });
  });

  it('reads the times Insights and emulators give', () => {
    expect(insightsTime('2026-12-01 09:30:00.123')).toBe('2026-12-01T09:30:00.123Z');
    expect(insightsTime('2026-12-01 09:30:00')).toBe('2026-12-01T09:30:00Z');
    expect(insightsTime(String(Date.parse('2026-12-01T09:30:00.123Z')))).toBe('2026-12-01T09:30:00.123Z');
    expect(insightsTime('48700000127')).toBe('********127');
  });
});
