import { describe, expect, it } from 'vitest';
import { HostPolicy } from '../../src/http/security.js';

describe('HostPolicy', () => {
  it('accepts only this server loopback names and port', () => {
    const policy = new HostPolicy('127.0.0.1');
    policy.setPort(3001);
    for (const host of ['127.0.0.1:3001', 'localhost:3001', 'LOCALHOST:3001', '[::1]:3001']) {
      expect(policy.allowsHost(host), host).toBe(true);
    }
    for (const host of ['127.0.0.1:3002', 'localhost', 'evil.example:3001', 'attacker.localhost:3001', undefined]) {
      expect(policy.allowsHost(host), String(host)).toBe(false);
    }
  });

  it('accepts only this server as an origin', () => {
    const policy = new HostPolicy('127.0.0.1');
    policy.setPort(3001);
    expect(policy.allowsOrigin('http://localhost:3001')).toBe(true);
    expect(policy.allowsOrigin('http://127.0.0.1:3001')).toBe(true);
    expect(policy.allowsOrigin('http://evil.example')).toBe(false);
    expect(policy.allowsOrigin('http://localhost:3000')).toBe(false);
    expect(policy.allowsOrigin('null')).toBe(false);
    expect(policy.allowsOrigin('file://localhost:3001')).toBe(false);
  });

  it('adds the names a container is reached by', () => {
    const policy = new HostPolicy('0.0.0.0', ['carapace.internal:8080']);
    policy.setPort(3001);
    expect(policy.allowsHost('carapace.internal:8080')).toBe(true);
    expect(policy.allowsHost('0.0.0.0:3001')).toBe(false);
  });
});
