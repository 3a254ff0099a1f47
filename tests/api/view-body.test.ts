import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sendView } from '../../api/view-body.js';

describe('sendView', () => {
  it('serialises a view once however often it is sent, and each view object on its own', async () => {
    let serialised = 0;
    const view = (label: string) => ({ label, toJSON: () => (serialised++, { label }) });
    const first = view('first');
    const second = view('second');
    const app = express();
    app.get('/first', (_req, res) => sendView(res, first));
    app.get('/second', (_req, res) => sendView(res, second));

    for (let i = 0; i < 3; i++) {
      const res = await request(app).get('/first');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual({ label: 'first' });
    }
    expect(serialised).toBe(1);
    expect((await request(app).get('/second')).body).toEqual({ label: 'second' });
    expect(serialised).toBe(2);
  });
});
