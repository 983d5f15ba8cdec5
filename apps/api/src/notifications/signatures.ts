import { createHmac } from 'node:crypto';

/**
 * DingTalk custom robot, "加签" (open.dingtalk.com, 自定义机器人安全设置): the string to sign is
 * `timestamp + "\n" + secret` (timestamp in epoch ms), HMAC-SHA256 keyed with the secret, Base64;
 * it is sent URL-encoded as `&timestamp=…&sign=…` on the webhook URL.
 */
export function dingtalkSignature(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestampMs));
  u.searchParams.set('sign', dingtalkSignature(secret, timestampMs));
  return u.toString();
}

/**
 * Feishu custom bot, signature verification (open.feishu.cn, 自定义机器人 签名校验): the string
 * `timestamp + "\n" + secret` (timestamp in epoch seconds) is the HMAC-SHA256 *key*, the message
 * is empty, the result Base64; `timestamp` and `sign` go in the JSON body.
 */
export function feishuSignature(secret: string, timestampS: number): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}
