// Issue 4 §3, §6: every import profile (PROFILES.md) gives the report of its canonical twin.
// The fixtures are written here from one conversation, in each format.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { auditFiles, verdict } from '../helpers/audit.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-prof-'));
let n = 0;
function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, `${n++}-${name}`);
  writeFileSync(p, content);
  return p;
}
const canonicalOf = async (csv: string) => verdict(await auditFiles([file('twin.csv', csv)]));

/** Shanghai local "YYYY-MM-DD HH:mm:ss" → UTC "YYYY-MM-DD HH:mm:ss.SSS". */
const utc = (local: string) => new Date(Date.parse(`${local.replace(' ', 'T')}+08:00`)).toISOString().replace('T', ' ').replace('Z', '');
const epoch = (local: string) => String(Date.parse(`${local.replace(' ', 'T')}+08:00`) / 1000);

describe('zh-csv: Chinese headers and values, GBK (PROFILES.md)', () => {
  it('gives the canonical report', async () => {
    const zh = [
      '发送时间,店铺名称,买家昵称,角色,接待客服,消息类型,消息内容,是否撤回',
      '2026/11/2 10:00,云朵家居,小王,买家,,文本,在吗,否',
      '2026/11/2 10:00:30,云朵家居,小王,买家,,文本,发错了,是',
      '2026/11/2 10:02,云朵家居,小王,客服,云朵家居:小美,图片,[图],否',
      '2026/11/2 11:00,云朵家居,老李,顾客,,链接,https://detail.tmall.com/item.htm?id=1,否',
      '2026/11/2 11:00:05,云朵家居,老李,机器人,云朵家居:店小蜜,文本,您好,否',
      '2026/11/2 11:10,云朵家居,老李,人工,云朵家居:阿强,红包,5元,否',
      '2026/11/2 11:12,云朵家居,老李,人工,云朵家居:阿强,文本,好的,否',
    ].join('\r\n');
    const twin = [
      'time,shop,buyer,sender,agent,type,content,recalled',
      '2026-11-02 10:00:00,云朵家居,小王,buyer,,text,在吗,0',
      '2026-11-02 10:00:30,云朵家居,小王,buyer,,text,发错了,1',
      '2026-11-02 10:02:00,云朵家居,小王,agent,云朵家居:小美,image,[图],0',
      '2026-11-02 11:00:00,云朵家居,老李,buyer,,link,https://detail.tmall.com/item.htm?id=1,0',
      '2026-11-02 11:00:05,云朵家居,老李,bot,云朵家居:店小蜜,text,您好,0',
      '2026-11-02 11:10:00,云朵家居,老李,agent,云朵家居:阿强,red_packet,5元,0',
      '2026-11-02 11:12:00,云朵家居,老李,agent,云朵家居:阿强,text,好的,0',
    ].join('\n');
    const r = await auditFiles([file('zh.csv', iconv.encode(zh, 'gbk'))]);
    expect(r.input.files[0]).toMatchObject({ encoding: 'gb18030', profile: 'zh-csv' });
    expect(verdict(r)).toEqual(await canonicalOf(twin));
  });
});

describe('xiaoduo: the quality-inspection message table, times in UTC (PROFILES.md)', () => {
  it('gives the canonical report; source, auto_send, is_transfer and withdraw_ms_time are read', async () => {
    const rows = [
      // cnick, snick, seller_nick, source, content, content_type, time (UTC), auto_send, is_transfer, withdraw_ms_time, _id
      ['xiaomage3011', 'cntaobao南极人:小小', '南极人', '0', '看到了吗?显示89元', '', utc('2026-11-02 09:20:38'), 'False', 'False', '1970-01-01 00:00:00.000', 'x1'],
      ['xiaomage3011', 'cntaobao南极人:小小', '南极人', '1', '亲,在的', '', utc('2026-11-02 09:22:00'), 'False', 'False', '1970-01-01 00:00:00.000', 'x2'],
      ['buyer2', '南极人:机器人', '南极人', '1', '您好', '', utc('2026-11-02 10:00:00'), 'True', 'False', '1970-01-01 00:00:00.000', 'x3'],
      ['buyer2', '', '南极人', '0', '人工', '', utc('2026-11-02 10:00:10'), 'False', 'False', '1970-01-01 00:00:00.000', 'x4'],
      ['buyer2', '', '南极人', '0', '撤回的', '', utc('2026-11-02 10:00:20'), 'False', 'False', utc('2026-11-02 10:00:25'), 'x5'],
      ['buyer2', '南极人:小小', '南极人', '1', '转接', '', utc('2026-11-02 10:01:00'), 'False', 'True', '1970-01-01 00:00:00.000', 'x6'],
      ['buyer2', '南极人:小小', '南极人', '1', '[图]', 'image', utc('2026-11-02 10:03:00'), 'False', 'False', '1970-01-01 00:00:00.000', 'x7'],
    ];
    const header = 'cnick,snick,seller_nick,source,content,content_type,time,auto_send,is_transfer,withdraw_ms_time,_id';
    const cell = (v: string) => (v.includes(',') ? `"${v}"` : v);
    const xd = file('message_all.csv', [header, ...rows.map((r) => r.map(cell).join(','))].join('\n'));
    const twin = [
      'time,shop,buyer,sender,agent,type,content,recalled,bot_mode,id',
      '2026-11-02 09:20:38,南极人,xiaomage3011,buyer,南极人:小小,text,看到了吗?显示89元,0,,x1',
      '2026-11-02 09:22:00,南极人,xiaomage3011,agent,南极人:小小,text,亲,在的,0,,x2'.replace('亲,在的', '"亲,在的"'),
      '2026-11-02 10:00:00,南极人,buyer2,bot,南极人:机器人,text,您好,0,auto,x3',
      '2026-11-02 10:00:10,南极人,buyer2,buyer,,text,人工,0,,x4',
      '2026-11-02 10:00:20,南极人,buyer2,buyer,,text,撤回的,1,,x5',
      '2026-11-02 10:01:00,南极人,buyer2,system,南极人:小小,system,转接,0,,x6',
      '2026-11-02 10:03:00,南极人,buyer2,agent,南极人:小小,image,[图],0,,x7',
    ].join('\n');
    const r = await auditFiles([xd]);
    expect(r.input.files[0]!.profile).toBe('xiaoduo');
    expect(verdict(r)).toEqual(await canonicalOf(twin));
  });
});

describe('qianniu-json: one file per buyer from the chat-history page (PROFILES.md)', () => {
  it('a folder of per-buyer files gives the canonical report', async () => {
    const folder = path.join(dir, 'qianniu');
    mkdirSync(folder);
    const page = (user: string, chats: object[]) => JSON.stringify({ user, exportTime: '2026/11/3 08:00:00', count: chats.length, chats }, null, 2);
    writeFileSync(
      path.join(folder, 'buyer-a.json'),
      page('小王', [
        { date: '2026-11-02', time: '10:00:00', sender: '小王', text: '在吗', imgUrl: '' },
        { date: '2026-11-02', time: '10:02:00', sender: '云朵家居:小美', text: '', imgUrl: 'https://img/1.jpg' },
      ]),
    );
    writeFileSync(
      path.join(folder, 'buyer-b.json'),
      page('老李', [
        { date: '2026-11-02', time: '11:00:00', sender: '老李', text: '发货了吗', imgUrl: '' },
        { date: '2026-11-02', time: '11:05:00', sender: '云朵家居:阿强', text: '今天发', imgUrl: '' },
      ]),
    );
    const twin = [
      'time,shop,buyer,sender,agent,type,content',
      '2026-11-02 10:00:00,云朵家居,小王,buyer,,text,在吗',
      '2026-11-02 10:02:00,云朵家居,小王,agent,云朵家居:小美,image,https://img/1.jpg',
      '2026-11-02 11:00:00,云朵家居,老李,buyer,,text,发货了吗',
      '2026-11-02 11:05:00,云朵家居,老李,agent,云朵家居:阿强,text,今天发',
    ].join('\n');
    const r = await auditFiles([folder]);
    expect(r.input.files.map((f) => f.profile)).toEqual(['qianniu-json', 'qianniu-json']);
    expect(r.input.files[0]!.file).toContain('buyer-a.json');
    expect(verdict(r)).toEqual(await canonicalOf(twin));
  });
});

describe('pdd-json: chat push messages, with recall notices (PROFILES.md)', () => {
  it('gives the canonical report; a 1002 notice recalls the message it names', async () => {
    const push = (ts: string, role: string, uid: string, type: number, content: string, msgId: string) =>
      JSON.stringify({
        message: {
          content,
          from: role === 'user' ? { role: 'user', uid } : { role: 'mall_cs', uid: '877317613', mall_id: '877317613' },
          msg_id: msgId,
          nickname: '景**',
          to: role === 'user' ? { mall_id: '877317613', role: 'mall_cs', uid: '877317613' } : { role: 'user', uid },
          ts,
          type,
        },
        response: 'push',
      });
    const lines = [
      push(epoch('2026-11-02 10:00:00'), 'user', '6840347447', 0, '在吗', '1001'),
      push(epoch('2026-11-02 10:00:30'), 'user', '6840347447', 0, '我要退款', '1002'),
      push(epoch('2026-11-02 10:00:40'), 'user', '6840347447', 1002, '1002', '1003'),
      push(epoch('2026-11-02 10:30:00'), 'mall_cs', '6840347447', 0, '在的', '1004'),
      push(epoch('2026-11-02 12:00:00'), 'user', '7000000001', 64, '{"goods_id":1}', '1005'),
      push(epoch('2026-11-02 14:00:00'), 'mall_cs', '7000000001', 1, 'img', '1006'),
    ];
    const twin = [
      'time,shop,buyer,sender,agent,type,content,recalled,id',
      '2026-11-02 10:00:00,877317613,6840347447,buyer,,text,在吗,0,1001',
      '2026-11-02 10:00:30,877317613,6840347447,buyer,,text,我要退款,1,1002',
      '2026-11-02 10:00:40,877317613,6840347447,buyer,,system,1002,0,1003',
      '2026-11-02 10:30:00,877317613,6840347447,agent,877317613,text,在的,0,1004',
      '2026-11-02 12:00:00,877317613,7000000001,buyer,,card,goods,0,1005',
      '2026-11-02 14:00:00,877317613,7000000001,agent,877317613,image,img,0,1006',
    ].join('\n');
    const r = await auditFiles([file('pdd.ndjson', lines.join('\n'))], { platform: 'pinduoduo' });
    expect(r.input.files[0]!.profile).toBe('pdd-json');
    expect(verdict(r)).toEqual(verdict(await auditFiles([file('pdd-twin.csv', twin)], { platform: 'pinduoduo' })));
    expect(r.shops[0]!.messages.excluded).toMatchObject({ recalled: 1 });
  });
});

describe('jd-chatlog: the 咚咚 chat log API (PROFILES.md)', () => {
  it('gives the canonical report from the API response', async () => {
    const api = {
      jingdong_im_pop_chatlog_get_responce: {
        code: '0',
        chatLogPage: {
          totalRecord: 3,
          chatLogList: [
            { customer: 'jd_buyer1', waiter: '京东自营店:客服1', content: '有货吗', sid: 's1', skuId: 1, time: '2026-11-02 10:00:00', channel: 'pc', waiterSend: false },
            { customer: 'jd_buyer1', waiter: '京东自营店:客服1', content: '有的', sid: 's1', skuId: 1, time: '2026-11-02 10:02:00', channel: 'pc', waiterSend: true },
            { customer: 'jd_buyer2', waiter: '京东自营店:客服2', content: '发票', sid: 's2', skuId: 2, time: '2026-11-02 11:00:00', channel: 'app', waiterSend: false },
          ],
        },
      },
    };
    const twin = [
      'time,shop,buyer,sender,agent,content',
      '2026-11-02 10:00:00,京东自营店,jd_buyer1,buyer,京东自营店:客服1,有货吗',
      '2026-11-02 10:02:00,京东自营店,jd_buyer1,agent,京东自营店:客服1,有的',
      '2026-11-02 11:00:00,京东自营店,jd_buyer2,buyer,京东自营店:客服2,发票',
    ].join('\n');
    const r = await auditFiles([file('jd.json', JSON.stringify(api, null, 2))]);
    expect(r.input.files[0]!.profile).toBe('jd-chatlog');
    expect(verdict(r)).toEqual(await canonicalOf(twin));
  });
});

describe('--map and --input-format', () => {
  it('--map names your own headers; Chinese role values are understood', async () => {
    const mine = file('mine.csv', '日期时间,顾客号,谁发的,客服号\n2026-11-02 10:00:00,b1,买家,\n2026-11-02 10:01:00,b1,客服,s:a\n');
    const map = new Map([
      ['日期时间', 'time'],
      ['顾客号', 'buyer'],
      ['谁发的', 'sender'],
      ['客服号', 'agent'],
    ]);
    const twin = 'time,buyer,sender,agent\n2026-11-02 10:00:00,b1,buyer,\n2026-11-02 10:01:00,b1,agent,s:a\n';
    expect(verdict(await auditFiles([mine], { headerMap: map }))).toEqual(await canonicalOf(twin));
    await expect(auditFiles([mine])).rejects.toThrow('the header has no "time", "buyer", "sender" column');
  });

  it('--input-format forces a profile', async () => {
    const zh = file('forced.csv', '时间,买家,发送方\n2026-11-02 10:00:00,b1,买家\n');
    const r = await auditFiles([zh], { inputFormat: 'zh-csv' });
    expect(r.input.files[0]!.profile).toBe('zh-csv');
    await expect(auditFiles([zh], { inputFormat: 'canonical' })).rejects.toThrow('the header has no "time", "buyer", "sender" column');
  });
});
