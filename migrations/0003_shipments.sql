-- 0003: courier/postal logistics (物流记录), the third source of the plan's 三(三) (R5, R8).
-- One row per waybill of an imported courier or postal file. Logistics never adds to any total:
-- a shipment only corroborates a 附件2 sale or 附件3 procurement it is linked to.
-- Every value keeps the text as typed beside the parsed value; money is INTEGER fen (分);
-- weights are decimal text in 斤 (1 公斤 = 2 斤), like sale.quantity_jin.
CREATE TABLE shipment (
    id             INTEGER PRIMARY KEY,
    carrier        TEXT NOT NULL DEFAULT '',      -- 快递公司/承运商 column; '' when the file has none
    waybill        TEXT NOT NULL,                 -- 运单号/快递单号/邮件号, whitespace removed
    date           TEXT NOT NULL,                 -- ISO date of 寄件日期/揽收时间
    date_text      TEXT NOT NULL,
    sender         TEXT NOT NULL DEFAULT '',      -- 寄件人 as typed
    household      TEXT NOT NULL DEFAULT '',      -- 寄件人 normalised like sale.household (clean_name)
    region_text    TEXT NOT NULL DEFAULT '',      -- 寄件地址/发件地区 as typed
    township_code  TEXT REFERENCES township(code),-- NULL when the address names no known township
    village        TEXT NOT NULL DEFAULT '',
    receiver       TEXT NOT NULL DEFAULT '',      -- 收件单位/收件人
    product        TEXT NOT NULL DEFAULT '',      -- 物品/品名/内件
    weight_text    TEXT NOT NULL DEFAULT '',
    weight_jin     TEXT,                          -- decimal text in 斤; NULL when blank or not a weight
    fee_fen        INTEGER CHECK (fee_fen IS NULL OR fee_fen >= 0),
    fee_text       TEXT NOT NULL DEFAULT '',
    source_file    TEXT NOT NULL DEFAULT '',      -- file name the row came from
    source_sheet   TEXT NOT NULL DEFAULT '',
    source_row     INTEGER NOT NULL DEFAULT 0,    -- row number as Excel shows it
    -- The sale (附件2 or 附件3 row) this shipment corroborates; NULL = unlinked.
    sale_id        INTEGER REFERENCES sale(id) ON DELETE SET NULL,
    -- 'auto' = linked by the matching rule; 'manual' = the operator decided (linked, or unlinked
    -- when sale_id is NULL): automatic linking never touches a 'manual' row. NULL = never linked.
    link_kind      TEXT CHECK (link_kind IS NULL OR link_kind IN ('auto', 'manual')),
    -- Fingerprint of the sale linked by hand, so the link is re-attached after the sale is deleted
    -- and re-imported (sale ids change, fingerprints do not).
    sale_fingerprint TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (carrier, waybill)
) STRICT;
CREATE INDEX shipment_by_sale ON shipment (sale_id);
CREATE INDEX shipment_by_date ON shipment (date, id);
