/**
 * What the holder sees before its wallet signs OpenID4VP `transaction_data` (§5.1, §8.4): each
 * item decoded, on stderr (stdout stays the command's JSON result), and then a question on a
 * terminal. Without a terminal and without `--sign-transaction-data` nothing is signed: the login
 * fails with `transaction_data_declined`.
 */
import { createInterface } from 'node:readline/promises';
import type { TransactionDataView } from '../wallet/index.js';

/** The decoded items as a person reads them: one JSON object per item, after a heading. */
export function describeTransactionData(items: readonly TransactionDataView[]): string {
  const lines = [`The verifier asks this wallet to sign ${items.length} transaction data item(s):`];
  for (const [index, item] of items.entries())
    lines.push(
      `  ${index + 1}. ${item.type}`,
      ...JSON.stringify(item, null, 2)
        .split('\n')
        .map((l) => `     ${l}`),
    );
  return `${lines.join('\n')}\n`;
}

/** Shows the items and answers whether to sign them: `yes` given, or the holder types "y". */
export async function confirmSigning(
  items: readonly TransactionDataView[],
  yes: boolean,
  io: { input: NodeJS.ReadStream; output: NodeJS.WriteStream } = {
    input: process.stdin,
    output: process.stderr,
  },
): Promise<boolean> {
  io.output.write(describeTransactionData(items));
  if (yes) {
    io.output.write('Signing (--sign-transaction-data).\n');
    return true;
  }
  if (!io.input.isTTY) {
    io.output.write('Not signed: no terminal to ask on; pass --sign-transaction-data to sign.\n');
    return false;
  }
  const prompt = createInterface({ input: io.input, output: io.output });
  try {
    const answer = await prompt.question('Sign these with your DID? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
