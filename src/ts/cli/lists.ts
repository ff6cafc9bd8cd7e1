/** vshStringToArray: commas separate items, and `,,` stands for a literal comma. */
export function splitList(text: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== ',') current += text[i];
    else if (text[i + 1] === ',') current += text[i++];
    else {
      items.push(current);
      current = '';
    }
  }
  items.push(current);
  return items;
}
