import type { HclBlock, HclBody, HclValue } from "./ast";
import { blockPath, checkComment, checkLabel, checkNames, classify } from "./check";
import { jsonString } from "./strings";

/**
 * The Terraform JSON syntax equivalent of the same body (the value to serialise).
 *
 * A block type maps to an object nested by labels; several blocks at the same labels become an
 * array of bodies. Expressions become `"${…}"`; comments of a body are joined into its `"//"`.
 *
 * @throws Error in the same cases as {@link printHcl}
 */
export function terraformJson(body: HclBody): Record<string, unknown> {
  return jsonBody(body, "the file");
}

/** `terraformJson` serialised with 2-space indentation and a final newline: the `.tf.json` text. */
export function printTerraformJson(body: HclBody): string {
  return `${JSON.stringify(terraformJson(body), null, 2)}\n`;
}

/** Blocks of one type under their labels; the bodies sit where the labels run out. */
interface LabelNode {
  readonly bodies: Record<string, unknown>[];
  readonly children: Map<string, LabelNode>;
}

const labelNode = (): LabelNode => ({ bodies: [], children: new Map() });

/** A body as Terraform JSON; properties in order of first appearance, `"//"` first. */
function jsonBody(body: HclBody, where: string): Record<string, unknown> {
  checkNames(body, where);
  const comments: string[] = [];
  const attributes = new Map<string, unknown>();
  const blocks = new Map<string, LabelNode>();
  const order: string[] = [];
  for (const item of body) {
    if ("comment" in item) {
      comments.push(checkComment(item.comment, where).join("\n"));
    } else if ("attribute" in item) {
      order.push(item.attribute);
      attributes.set(item.attribute, jsonValue(item.value, `${where} > ${item.attribute}`));
    } else {
      if (!blocks.has(item.block)) order.push(item.block);
      addBlock(blocks, item, where);
    }
  }
  const properties = order.map((key) => {
    const node = blocks.get(key);
    return [key, node ? labelJson(node) : attributes.get(key)] as const;
  });
  return Object.fromEntries(
    comments.length > 0 ? [["//", comments.join("\n")], ...properties] : properties,
  );
}

function addBlock(blocks: Map<string, LabelNode>, block: HclBlock, where: string): void {
  let node = blocks.get(block.block) ?? labelNode();
  blocks.set(block.block, node);
  for (const label of block.labels ?? []) {
    checkLabel(label, `${where} > ${block.block}`);
    const child = node.children.get(label) ?? labelNode();
    node.children.set(label, child);
    node = child;
  }
  node.bodies.push(jsonBody(block.body, blockPath(block, where)));
}

/** One body as an object, several at the same labels as an array (Terraform accepts both). */
function labelJson(node: LabelNode): unknown {
  if (node.children.size === 0) return node.bodies.length === 1 ? node.bodies[0] : node.bodies;
  return Object.fromEntries([...node.children].map(([label, child]) => [label, labelJson(child)]));
}

function jsonValue(value: HclValue, where: string): unknown {
  const classified = classify(value, where);
  switch (classified.kind) {
    case "string":
      return jsonString(classified.value);
    case "number":
    case "boolean":
      return classified.value;
    case "expression":
      return `\${${classified.value}}`;
    case "list":
      return classified.value.map((v, i) => jsonValue(v, `${where}[${i}]`));
    case "object":
      return Object.fromEntries(
        classified.value.map(([key, v]) => [jsonString(key), jsonValue(v, `${where}.${key}`)]),
      );
  }
}
