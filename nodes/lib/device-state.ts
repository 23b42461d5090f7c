/**
 * What a worker was asked for (the device request of the current job) and what its backend found
 * (the device info, a GPU failure). Light on purpose: the registry module reads and writes it without
 * loading tfjs, and backend.ts, which does load it, fills it in.
 */
import type { DeviceInfo, DeviceRequest } from '../sdk/index.ts';

let request: DeviceRequest = { preference: preferenceFromEnv() };
let used: DeviceInfo | null = null;
let failure: string | null = null;

function preferenceFromEnv(): DeviceRequest['preference'] {
  const v = process.env.WEFT_DEVICE;
  return v === 'gpu' || v === 'cpu' ? v : 'auto';
}

/** Set by the worker before each job; the job's first tensor work picks its backend from it. */
export function setDeviceRequest(next: DeviceRequest): void {
  request = next;
  used = null;
}

export function deviceRequest(): DeviceRequest {
  return request;
}

/** Recorded by backend.ts when a job's backend is ready; null when the job used no tensors. */
export function recordDeviceUsed(info: DeviceInfo): void {
  used = info;
}

export function deviceUsed(): DeviceInfo | null {
  return used;
}

/** Set when the GPU is lost or runs out of memory: the job fails at its next step with this message. */
export function recordDeviceFailure(message: string): void {
  failure ??= message;
}

/** Read once: the failure belongs to the job that was running, and the next job gets a new device. */
export function takeDeviceFailure(): string | null {
  const f = failure;
  failure = null;
  return f;
}

export function peekDeviceFailure(): string | null {
  return failure;
}
