export type { HclAttribute, HclBlock, HclBody, HclComment, HclExpression, HclValue } from "./ast";
export { expression } from "./ast";
export { printHcl } from "./native";
export { printTerraformJson, terraformJson } from "./json";
